"""Console home cards: the current period's progress, pending appeals, flags."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Appeal, Flag, Period


def cards(user, district) -> list[dict]:
    if not policies.can(user, "ratings.view", district):
        return []
    code = {"code": district.code}
    out = []
    period = (Period.objects.filter(district=district).exclude(status=Period.Status.ARCHIVED)
              .order_by("-starts_on").first())
    if period is not None:
        out.append({"label": _("评比：%(name)s") % {"name": period.name},
                    "value": period.get_status_display(),
                    "url": reverse("ratings:period", kwargs={**code, "period_id": period.pk}),
                    "tone": "ok"})
    if policies.can(user, "ratings.appeal_view", district):
        pending = Appeal.objects.filter(district=district, status=Appeal.Status.PENDING).count()
        out.append({"label": _("待裁决申诉"), "value": pending,
                    "url": reverse("ratings:appeals", kwargs=code),
                    "tone": "warn" if pending else "ok"})
    flags = Flag.objects.filter(district=district).count()
    out.append({"label": _("流动红旗（历次）"), "value": flags,
                "url": reverse("ratings:awards", kwargs=code), "tone": "ok"})
    return out
