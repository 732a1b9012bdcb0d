"""Reporting periods in local time (settings.TIME_ZONE, Asia/Shanghai).

A ``Period`` is a kind (day, week Monday–Sunday, month, quarter, year) and its first
day; it covers the local days ``start <= day < end``. ``bounds`` turns local days into
the aware datetimes a query on a timestamp needs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

KINDS = ("day", "week", "month", "quarter", "year")
_RANK = {k: i for i, k in enumerate(KINDS)}


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``start`` and of ``end`` as aware datetimes (end exclusive)."""
    tz = local_tz()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end, dt.time(), tzinfo=tz))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        if kind == "day":
            return cls(kind, day)
        if kind == "week":
            return cls(kind, day - dt.timedelta(days=day.weekday()))
        if kind == "month":
            return cls(kind, day.replace(day=1))
        if kind == "quarter":
            return cls(kind, dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        if kind == "year":
            return cls(kind, dt.date(day.year, 1, 1))
        raise ValueError(f"unknown period kind {kind!r}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-12-01`` day, ``2026-W48`` week, ``2026-11`` month, ``2026Q4``, ``2026``."""
        text = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            return cls("day", dt.date(int(m[1]), int(m[2]), int(m[3])))
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            return cls("week", dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            return cls("month", dt.date(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
            return cls("quarter", dt.date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1))
        if m := re.fullmatch(r"(\d{4})", text):
            return cls("year", dt.date(int(m[1]), 1, 1))
        raise ValueError(f"not a period: {text!r}")

    @property
    def end(self) -> dt.date:
        if self.kind == "day":
            return self.start + dt.timedelta(days=1)
        if self.kind == "week":
            return self.start + dt.timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return _add_months(self.start, months)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period(self.kind, self.end)

    def is_closed(self, today: dt.date | None = None) -> bool:
        return self.end <= (today or timezone.localdate())

    def finer_or_equal(self, kind: str) -> bool:
        """Whether this period is at least as coarse as ``kind`` (week ≥ day …)."""
        return _RANK[self.kind] >= _RANK[kind]

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def __str__(self) -> str:
        return self.label
