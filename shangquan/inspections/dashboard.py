"""Console home cards: cheap counts only."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Inspection, Rectification
from .policies import is_staff, own_merchant_ids


def cards(user, district) -> list[dict]:
    orders = Rectification.objects.filter(district=district,
                                          status__in=Rectification.OPEN_STATUSES)
    url = reverse("inspections:rectifications", kwargs={"code": district.code})
    if is_staff(user, district):
        out = [
            {"label": _("待整改隐患"), "value": orders.count(), "url": url + "?open=1",
             "tone": "warn"},
            {"label": _("逾期督办"), "value": orders.filter(status="escalated").count(),
             "url": url + "?status=escalated", "tone": "danger"},
        ]
        if policies.has_role(user, district, "department"):
            today = Inspection.objects.filter(
                district=district, parent__isnull=True, status__in=["planned", "in_progress"],
                planned_for__lte=timezone.localdate())
            out.append({"label": _("今日待检查"), "value": today.count(),
                        "url": reverse("inspections:list", kwargs={"code": district.code}),
                        "tone": "info", "mine": True})
        return out
    if policies.has_role(user, district, "merchant"):
        mine = orders.filter(merchant_id__in=own_merchant_ids(user, district))
        return [{"label": _("我的待整改"), "value": mine.count(), "url": url, "tone": "warn",
                 "mine": True}]
    return []
