"""Console home cards for the party organisation."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import CheckIn, OrgUnit, PartyMember


def cards(user, district) -> list[dict]:
    if not policies.can(user, "org.view", district):
        return []
    code = district.code
    out = [{"label": _("党组织"), "value": OrgUnit.objects.filter(district=district).count(),
            "url": reverse("org:tree", kwargs={"code": code}), "tone": ""}]
    if policies.can(user, "checkin.view", district):
        week = timezone.now() - dt.timedelta(days=7)
        out.append({"label": _("党员"),
                    "value": PartyMember.objects.filter(district=district).count(),
                    "url": reverse("org:members", kwargs={"code": code}), "tone": ""})
        out.append({"label": _("本周流动党员报到"),
                    "value": CheckIn.objects.filter(district=district,
                                                    created_at__gte=week).count(),
                    "url": reverse("org:registry", kwargs={"code": code}), "tone": "ok"})
    return out
