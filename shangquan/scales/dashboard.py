"""Console home cards: today's plan progress, suspended scales, certificates due."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.roles import Role

from .models import DailyPlan, Instrument, SpotCheck
from .policies import may_check


def cards(user, district) -> list[dict]:
    if not policies.can(user, "scales.kpi_view", district) and not policies.can(user, "scales.plan_view", district):
        return []
    today = timezone.localdate()
    code = {"code": district.code}
    out = []
    plan = DailyPlan.objects.filter(district=district, day=today).only("items").first()
    if plan is not None and policies.can(user, "scales.plan_view", district):
        ids = [row["instrument"] for row in plan.items]
        done = (SpotCheck.objects.filter(district=district, checked_on=today,
                                         instrument_id__in=ids)
                .values("instrument_id").distinct().count())
        out.append({"label": _("今日查验"), "value": f"{done}/{len(ids)}",
                    "url": reverse("scales:plan", kwargs=code),
                    "tone": "ok" if done >= len(ids) else "warn"})
    active = Instrument.objects.filter(district=district).exclude(
        status=Instrument.Status.RETIRED)
    suspended = active.filter(status=Instrument.Status.SUSPENDED).count()
    overdue = active.filter(next_due__lt=today).count()
    due_soon = active.filter(next_due__gte=today,
                             next_due__lte=today + dt.timedelta(days=30)).count()
    out.append({"label": _("停用计量器具"), "value": suspended,
                "url": reverse("scales:registry", kwargs=code) + "?status=suspended",
                "tone": "danger" if suspended else "ok"})
    out.append({"label": _("检定过期/将到期"), "value": f"{overdue}/{due_soon}",
                "url": reverse("scales:certificates", kwargs=code),
                "tone": "danger" if overdue else ("warn" if due_soon else "ok")})
    # A metrology department's home: verifying the district's scales is its own work.
    if policies.has_role(user, district, Role.DEPARTMENT) and may_check(user, district):
        for card in out:
            card["mine"] = True
    return out
