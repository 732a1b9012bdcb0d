"""志愿活动 indicators for the dashboard (``Contributions.indicators``).

志愿服务时长: the minutes of the registrations confirmed in the period ÷ 60. Split by the
event's team (未指定 for events of no team), down to the registrations: the event (linked
to its console page), the team, the volunteer's name masked (张*), status and minutes.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import UP, Indicator, Measure, Part, Rows, count
from shangquan.core.models import District
from shangquan.core.periods import bounds
from shangquan.core.pii import name_mask

from .models import Registration

MODULE = _("志愿活动")
DIMENSIONS = ("team",)
_TEAM = "event__team"


def _confirmed(district: District, start: dt.date, end: dt.date) -> QuerySet[Registration]:
    low, high = bounds(start, end)
    return Registration.objects.filter(district=district, confirmed_at__gte=low,
                                       confirmed_at__lt=high)


def _in_hours(minutes: int | None) -> Measure:
    return count(round(int(minutes or 0) / 60, 1))


def _hours(district: District, start: dt.date, end: dt.date) -> Measure:
    return _in_hours(_confirmed(district, start, end).aggregate(n=Sum("minutes"))["n"])


def _breakdown(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
    if by not in DIMENSIONS:
        return []
    groups = (_confirmed(district, start, end).values(_TEAM, f"{_TEAM}__name")
              .annotate(n=Sum("minutes")).order_by(_TEAM))
    parts = [Part(g[_TEAM] or 0, g[f"{_TEAM}__name"] or str(_("未指定")), _in_hours(g["n"]))
             for g in groups]
    return sorted(parts, key=lambda p: (-(p.measure.value or 0), p.key))


def _volunteer(registration: Registration) -> str:
    profile = getattr(registration.user, "profile", None)
    return name_mask(getattr(profile, "display_name", "") or registration.user.get_username())


def _rows(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
          limit: int) -> Rows:
    qs = _confirmed(district, start, end)
    if by in DIMENSIONS and part is not None:
        qs = qs.filter(**{_TEAM: part}) if part else qs.filter(**{f"{_TEAM}__isnull": True})
    total = qs.count()
    out = []
    for r in qs.select_related("event", "event__team", "user", "user__profile").order_by(
            "-confirmed_at", "-id")[:limit]:
        url = reverse("activities:console_event", kwargs={"code": district.code,
                                                          "pk": r.event_id})
        team = r.event.team
        out.append((url, (r.event.title, team.name if team else "—", _volunteer(r),
                          r.get_status_display(), r.minutes or 0)))
    return Rows((_("活动"), _("队伍"), _("志愿者"), _("状态"), _("时长（分钟）")), out, total)


INDICATORS = (
    Indicator("activities.volunteer_hours", _("志愿服务时长"),
              _("期内确认的报名签到时长之和 ÷ 60"), _("小时"), UP, _hours, module=MODULE,
              dimensions=DIMENSIONS, breakdown=_breakdown, rows=_rows),
)
