"""The indicator contract: what an app contributes through ``Contributions.indicators``.

An app declares ``indicators="shangquan.<app>.indicators:INDICATORS"``, a sequence of
``Indicator``. The dashboard app (last in the order) reads them through
``core.extensions.collect("indicators")``, so an app that is not installed simply
contributes nothing, and the dashboard never imports an app's models.

``measure(district, start, end)`` returns the value over the local (Asia/Shanghai) days
``start <= day < end``. Rates carry their numerator and denominator so a value over
several districts (the street's view) is Σ numerators ÷ Σ denominators, never a mean of
rates; counts carry ``value`` only and add up.

Drill-down (optional): ``breakdown(district, start, end, by)`` splits the value by one of
the indicator's ``dimensions`` (``grid``, ``association``, ``department`` …) into
``Part``s; ``rows(district, start, end, by, part, limit)`` lists the rows behind a value
(the orders, checks, bookings), ``by``/``part`` empty for the whole district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

# The finest period an indicator is meaningful for; coarser ones are allowed.
PERIOD_KINDS = ("day", "week", "month", "quarter", "year")
UP, DOWN = "up", "down"  # higher is better / higher is worse
SUM, RATIO, MAX = "sum", "ratio", "max"  # how values over several districts combine


@dataclass(frozen=True)
class Measure:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Part:
    """One slice of a breakdown: ``key`` is the grid/association/department id (0: none)."""

    key: int
    label: str
    measure: Measure


@dataclass(frozen=True)
class Rows:
    """The rows behind a value: column headings, each row's cells (and its page, if any)."""

    columns: tuple[Any, ...]
    rows: list[tuple[str, tuple[Any, ...]]]  # (url or "", cells)
    total: int


@dataclass(frozen=True)
class Indicator:
    key: str  # "<app>.<name>", unique across the platform
    label: Any  # Chinese msgid, lazily translated (gettext_lazy), shown on pages and reports
    definition: Any  # the formula in words (the code is ``measure``), gettext_lazy too
    unit: str  # "%", "件", "分钟", "人次", "分" …
    direction: str  # UP or DOWN
    measure: Callable[[Any, dt.date, dt.date], Measure]
    period: str = "day"  # finest period kind, one of PERIOD_KINDS
    scope: str = "district"  # values are per district; the street combines them
    combine: str = SUM  # SUM, RATIO (Σ num ÷ Σ den × scale) or MAX
    scale: float = 1.0  # RATIO: 100 for a percentage
    module: str = ""  # the app's verbose name, for grouping (sheets, panels)
    dimensions: tuple[str, ...] = ()  # what ``breakdown`` can split by
    breakdown: Callable[[Any, dt.date, dt.date, str], list[Part]] | None = None
    rows: Callable[[Any, dt.date, dt.date, str, int | None, int], Rows] | None = None

    def __post_init__(self) -> None:
        if self.direction not in (UP, DOWN):
            raise ValueError(f"{self.key}: direction must be 'up' or 'down'")
        if self.period not in PERIOD_KINDS:
            raise ValueError(f"{self.key}: period must be one of {PERIOD_KINDS}")
        if self.combine not in (SUM, RATIO, MAX):
            raise ValueError(f"{self.key}: combine must be sum, ratio or max")


def ratio(numerator: float, denominator: float, scale: float = 100.0) -> Measure:
    """A rate in ``scale`` units (percent by default); None when nothing was counted."""
    value = scale * numerator / denominator if denominator else None
    return Measure(value, numerator, denominator)


def count(value: float) -> Measure:
    return Measure(value)


def parts_by(qs: Any, field: str, good: Any = None) -> list[Part]:
    """A breakdown of ``qs`` by the foreign key ``field`` (its ``name`` as the label, 0 and
    未指定 for rows with none): the share of rows matching ``good`` (a ``Q``), or the
    count when there is none; the best part first."""
    counted = {"n": Count("id")} if good is None else \
        {"n": Count("id"), "good": Count("id", filter=good)}
    groups = qs.values(field, f"{field}__name").annotate(**counted).order_by(field)
    parts = [Part(g[field] or 0, g[f"{field}__name"] or str(_("未指定")),
                  count(g["n"]) if good is None else ratio(g["good"], g["n"]))
             for g in groups]
    return sorted(parts, key=lambda p: (p.measure.value is None, -(p.measure.value or 0)))


def part_rows(qs: Any, field: str | None, part: int | None) -> Any:
    """The rows of one part of a breakdown by ``field`` (a queryset; ``part`` 0: the rows
    with none); all of them when there is no field or no part."""
    if field is None or part is None:
        return qs
    return qs.filter(**{field: part}) if part else qs.filter(**{f"{field}__isnull": True})


def local_minute(moment: dt.datetime | None) -> str:
    """A row's time as staff read it: Beijing time to the minute, "—" when there is none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
