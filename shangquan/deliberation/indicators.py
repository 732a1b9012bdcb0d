"""议事协商 indicators for the dashboard (``Contributions.indicators``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import RATIO, UP, Indicator, Measure, ratio
from shangquan.core.models import District
from shangquan.core.periods import local_tz

from .models import Suggestion


def _answered_on_time(district: District, start: dt.date, end: dt.date) -> Measure:
    """Suggestions due in the period answered by the end of their due day (local)."""
    rows = Suggestion.objects.filter(district=district, answer_due__gte=start,
                                     answer_due__lt=end).exclude(
        status=Suggestion.Status.MERGED).values_list("answer_due", "answered_at")
    tz = local_tz()
    due = on_time = 0
    for answer_due, answered_at in rows:
        due += 1
        if answered_at is not None and answered_at.astimezone(tz).date() <= answer_due:
            on_time += 1
    return ratio(on_time, due)


INDICATORS = (
    Indicator("deliberation.suggestions_on_time", _("建议按时答复率"),
              _("答复期限在期内的建议（合并的除外）中，在期限当日结束前答复的 ÷ 总数 × 100"),
              "%", UP, _answered_on_time, combine=RATIO, scale=100, module=_("议事协商")),
)
