"""服务站点 indicators for the dashboard (``Contributions.indicators``).

- 办理预约: bookings of the slots that start in the period and were handled (已办理);
- 预约爽约率: of the bookings of those slots that came due (handled, arrived or no-show),
  the no-shows ÷ all of them × 100.

Both split by station and by the department that runs the service, down to the bookings
(no names or phones: the service, the slot and what happened).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import DOWN, RATIO, UP, Indicator, Measure, Part, Rows, count, ratio
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .models import Booking

MODULE = _("服务站点")
DIMENSIONS = ("station", "department")
_FIELD = {"station": "slot__service__station", "department": "slot__service__department"}
_DONE = Q(status=Booking.Status.DONE)
_NO_SHOW = Q(status=Booking.Status.NO_SHOW)
_DUE = Q(status__in=[Booking.Status.DONE, Booking.Status.ARRIVED, Booking.Status.NO_SHOW])


def _bookings(district: District, start: dt.date, end: dt.date) -> QuerySet[Booking]:
    lo, hi = bounds(start, end)
    return Booking.objects.filter(district=district, slot__starts_at__gte=lo,
                                  slot__starts_at__lt=hi)


def _handled(district: District, start: dt.date, end: dt.date) -> Measure:
    return count(_bookings(district, start, end).filter(_DONE).count())


def _no_show(district: District, start: dt.date, end: dt.date) -> Measure:
    agg = _bookings(district, start, end).filter(_DUE).aggregate(
        n=Count("id"), bad=Count("id", filter=_NO_SHOW))
    return ratio(agg["bad"], agg["n"])


def _breakdown(kind: str):
    def split(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
        if by not in DIMENSIONS:
            return []
        field = _FIELD[by]
        qs = _bookings(district, start, end)
        qs = qs.filter(_DONE) if kind == "handled" else qs.filter(_DUE)
        groups = (qs.values(field, f"{field}__name")
                  .annotate(n=Count("id"), bad=Count("id", filter=_NO_SHOW)).order_by(field))
        parts = [Part(g[field] or 0, g[f"{field}__name"] or str(_("未指定")),
                      count(g["n"]) if kind == "handled" else ratio(g["bad"], g["n"]))
                 for g in groups]
        return sorted(parts, key=lambda p: -(p.measure.value or 0))
    return split


def _rows(kind: str):
    def behind(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
               limit: int) -> Rows:
        qs = _bookings(district, start, end)
        qs = qs.filter(_DONE) if kind == "handled" else qs.filter(_DUE)
        if by in DIMENSIONS and part is not None:
            field = _FIELD[by]
            qs = qs.filter(**{field: part}) if part else qs.filter(**{f"{field}__isnull": True})
        total = qs.count()
        out = []
        for b in qs.select_related("slot__service__station").order_by(
                "-slot__starts_at", "-id")[:limit]:
            service = b.slot.service
            out.append(("", (timezone.localtime(b.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                             service.station.name, service.name, b.get_status_display(),
                             b.get_outcome_display() or "—",
                             _("现场取号") if b.walk_in else _("预约"))))
        return Rows((_("时段"), _("站点"), _("事项"), _("状态"), _("办理结果"), _("方式")),
                    out, total)
    return behind


INDICATORS = (
    Indicator("stations.bookings_handled", _("办理预约"),
              _("开始时间在期内的预约时段中，已办理的预约数"), _("件"), UP, _handled,
              module=MODULE, dimensions=DIMENSIONS, breakdown=_breakdown("handled"),
              rows=_rows("handled")),
    Indicator("stations.no_show_rate", _("预约爽约率"),
              _("开始时间在期内的时段中，爽约的预约 ÷ (已办理 + 已签到 + 爽约) × 100"), "%",
              DOWN, _no_show, combine=RATIO, scale=100, module=MODULE,
              dimensions=DIMENSIONS, breakdown=_breakdown("no_show"), rows=_rows("no_show")),
)
