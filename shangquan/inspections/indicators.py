"""Inspection indicators for the dashboard (``Contributions.indicators``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import DOWN, RATIO, UP, Indicator, Measure, count, ratio
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .models import Rectification

MODULE = _("检查整改")


def _due(district: District, start: dt.date, end: dt.date):
    low, high = bounds(start, end)
    return Rectification.objects.filter(district=district, deadline__gte=low, deadline__lt=high)


def _on_time(district: District, start: dt.date, end: dt.date) -> Measure:
    row = _due(district, start, end).aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(status=Rectification.Status.VERIFIED,
                                     verified_at__lte=F("deadline"))))
    return ratio(row["on_time"], row["due"])


def _issued(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    return count(Rectification.objects.filter(district=district, issued_at__gte=low,
                                              issued_at__lt=high).count())


INDICATORS = (
    Indicator("inspections.rectification_on_time", _("整改按时完成率"),
              _("期限落在期内的整改单中，在期限前验收通过的 ÷ 期限落在期内的整改单 × 100"),
              "%", UP, _on_time, combine=RATIO, scale=100, module=MODULE),
    Indicator("inspections.rectifications_issued", _("下发整改单"), _("期内下发的整改单数"), _("件"),
              DOWN, _issued, module=MODULE),
)
