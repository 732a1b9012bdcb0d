"""Periods in Asia/Shanghai: weeks Monday–Sunday, quarters, labels, previous periods."""

import datetime as dt

import pytest

from shangquan.core.periods import Period, bounds


def test_week_runs_monday_to_sunday():
    p = Period.containing("week", dt.date(2026, 12, 6))  # a Sunday
    assert p.start == dt.date(2026, 11, 30) and p.last_day == dt.date(2026, 12, 6)
    assert p.label == "2026-W49"
    assert p.previous() == Period("week", dt.date(2026, 11, 23))
    assert Period.parse("2026-W49") == p


@pytest.mark.parametrize(("kind", "day", "start", "end", "label", "prev"), [
    ("day", dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 2), "2026-03-01",
     dt.date(2026, 2, 28)),
    ("month", dt.date(2026, 3, 31), dt.date(2026, 3, 1), dt.date(2026, 4, 1), "2026-03",
     dt.date(2026, 2, 1)),
    ("quarter", dt.date(2026, 1, 15), dt.date(2026, 1, 1), dt.date(2026, 4, 1), "2026Q1",
     dt.date(2025, 10, 1)),
    ("quarter", dt.date(2026, 12, 31), dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026Q4",
     dt.date(2026, 7, 1)),
    ("year", dt.date(2026, 7, 4), dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026",
     dt.date(2025, 1, 1)),
])
def test_periods(kind, day, start, end, label, prev):
    p = Period.containing(kind, day)
    assert (p.start, p.end, p.label, p.previous().start) == (start, end, label, prev)
    assert Period.parse(label) == p


def test_a_local_day_starts_at_midnight_in_shanghai():
    low, high = bounds(dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    assert low.astimezone(dt.UTC) == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert high - low == dt.timedelta(days=1)


def test_nonsense_is_not_a_period():
    for text in ("2026-13", "2026Q5", "last week", "2026-W60"):
        with pytest.raises(ValueError):
            Period.parse(text)


def test_closed_only_after_its_last_day():
    p = Period("week", dt.date(2026, 11, 30))
    assert not p.is_closed(dt.date(2026, 12, 6))
    assert p.is_closed(dt.date(2026, 12, 7))
