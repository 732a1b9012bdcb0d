"""议事协商 indicators for the dashboard (``Contributions.indicators``).

建议按时答复率: the suggestions due in the period (merged ones aside) answered by the end of
their due day (local) ÷ all of them × 100. Split by grid (the merchant's the suggestion is
about; 未指定 when none), down to the suggestions: number, title, channel, status, due day
and answer time, as the console's list shows them (no author).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import RATIO, UP, Indicator, Measure, Part, Rows, ratio
from shangquan.core.models import District
from shangquan.core.periods import local_tz

from .models import Suggestion

DIMENSIONS = ("grid",)
_GRID = "merchant__grid"


def _due(district: District, start: dt.date, end: dt.date) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(district=district, answer_due__gte=start,
                                     answer_due__lt=end).exclude(status=Suggestion.Status.MERGED)


def _in_time(answer_due: dt.date, answered_at: dt.datetime | None) -> bool:
    return answered_at is not None and answered_at.astimezone(local_tz()).date() <= answer_due


def _answered_on_time(district: District, start: dt.date, end: dt.date) -> Measure:
    """Suggestions due in the period answered by the end of their due day (local)."""
    rows = _due(district, start, end).values_list("answer_due", "answered_at")
    due = on_time = 0
    for answer_due, answered_at in rows:
        due += 1
        on_time += _in_time(answer_due, answered_at)
    return ratio(on_time, due)


def _breakdown(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
    if by not in DIMENSIONS:
        return []
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for grid, name, answer_due, answered_at in _due(district, start, end).values_list(
            _GRID, f"{_GRID}__name", "answer_due", "answered_at"):
        key = grid or 0
        names[key] = name or str(_("未指定"))
        counts[key][0] += _in_time(answer_due, answered_at)
        counts[key][1] += 1
    parts = [Part(key, names[key], ratio(good, n)) for key, (good, n) in counts.items()]
    return sorted(parts, key=lambda p: (-(p.measure.value or 0), p.key))


def _rows(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
          limit: int) -> Rows:
    qs = _due(district, start, end)
    if by in DIMENSIONS and part is not None:
        qs = qs.filter(**{_GRID: part}) if part else qs.filter(**{f"{_GRID}__isnull": True})
    total = qs.count()
    out = []
    for s in qs.order_by("-answer_due", "-id")[:limit]:
        url = reverse("deliberation:suggestion", kwargs={"code": district.code, "pk": s.pk})
        answered = (timezone.localtime(s.answered_at).strftime("%Y-%m-%d %H:%M")
                    if s.answered_at else "—")
        out.append((url, (s.number, s.title, s.get_channel_display(), s.get_status_display(),
                          s.answer_due.isoformat(), answered)))
    return Rows((_("编号"), _("标题"), _("渠道"), _("状态"), _("答复期限"), _("答复")), out, total)


INDICATORS = (
    Indicator("deliberation.suggestions_on_time", _("建议按时答复率"),
              _("答复期限在期内的建议（合并的除外）中，在期限当日结束前答复的 ÷ 总数 × 100"),
              "%", UP, _answered_on_time, combine=RATIO, scale=100, module=_("议事协商"),
              dimensions=DIMENSIONS, breakdown=_breakdown, rows=_rows),
)
