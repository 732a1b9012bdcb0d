"""The daily spot-check plan (砝码查验计划): pure and reproducible.

Rules:
- every instrument is checked at least once in ``window_days``: one checked on day t is
  due on day t + N, one never checked is due at once; whatever is due (or overdue) is
  always in the plan, even beyond the quota;
- the rest of the day's quota goes to a weighted draw without replacement, weighted
  toward past failures, complaints and time since the last check (Efraimidis–Spirakis
  keys u^(1/w));
- the draw is seeded from the date, the district and a digest of every input, so the
  same day and the same inputs give the same plan (the digest is shown for audit).
  Callers build the inputs as of the start of the day, so checks done during the day
  do not reshuffle it.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

FAILURE_WEIGHT = 3.0
COMPLAINT_WEIGHT = 2.0


@dataclass(frozen=True)
class Candidate:
    instrument_id: int
    last_checked_on: date | None
    failures: int = 0  # failed spot checks in the look-back period
    complaints: int = 0  # metrology complaints and short re-weighs against the merchant


@dataclass(frozen=True)
class PlanItem:
    instrument_id: int
    reason: str  # "due" (window ends today or earlier) | "never" | "weighted"
    due_on: date
    weight: float


@dataclass(frozen=True)
class Plan:
    day: date
    window_days: int
    quota: int
    digest: str
    items: tuple[PlanItem, ...]

    @property
    def instrument_ids(self) -> list[int]:
        return [item.instrument_id for item in self.items]


def due_on(candidate: Candidate, *, day: date, window_days: int) -> date:
    if candidate.last_checked_on is None:
        return day
    return date.fromordinal(candidate.last_checked_on.toordinal() + window_days)


def weight(candidate: Candidate, *, day: date, window_days: int) -> float:
    age = (window_days if candidate.last_checked_on is None
           else (day - candidate.last_checked_on).days)
    return (1.0 + FAILURE_WEIGHT * candidate.failures + COMPLAINT_WEIGHT * candidate.complaints
            + max(0, age) / window_days)


def inputs_digest(*, day: date, district_code: str, window_days: int, quota: int,
                  candidates: Iterable[Candidate]) -> str:
    h = hashlib.sha256(f"{day.isoformat()}|{district_code}|{window_days}|{quota}".encode())
    for c in sorted(candidates, key=lambda c: c.instrument_id):
        last = c.last_checked_on.isoformat() if c.last_checked_on else "-"
        h.update(f"|{c.instrument_id}:{last}:{c.failures}:{c.complaints}".encode())
    return h.hexdigest()[:16]


def daily_quota(*, count: int, window_days: int, minimum: int = 0) -> int:
    """Enough to visit everything once per window on an even spread."""
    return max(minimum, math.ceil(count / window_days)) if count else 0


def plan_day(*, day: date, district_code: str, candidates: Iterable[Candidate],
             window_days: int, quota: int | None = None) -> Plan:
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    pool = sorted(candidates, key=lambda c: c.instrument_id)
    quota = daily_quota(count=len(pool), window_days=window_days,
                        minimum=quota or 0)
    digest = inputs_digest(day=day, district_code=district_code, window_days=window_days,
                           quota=quota, candidates=pool)
    rng = random.Random(digest)
    chosen: list[PlanItem] = []
    rest: list[tuple[float, PlanItem]] = []
    for c in pool:
        due = due_on(c, day=day, window_days=window_days)
        w = weight(c, day=day, window_days=window_days)
        # One draw per candidate in id order keeps the stream independent of who is due.
        key = rng.random() ** (1.0 / w)
        if due <= day:
            chosen.append(PlanItem(c.instrument_id, "never" if c.last_checked_on is None
                                   else "due", due, w))
        else:
            rest.append((key, PlanItem(c.instrument_id, "weighted", due, w)))
    chosen.sort(key=lambda item: (item.due_on, -item.weight, item.instrument_id))
    rest.sort(key=lambda pair: (-pair[0], pair[1].instrument_id))
    free = max(0, quota - len(chosen))
    chosen.extend(item for _key, item in rest[:free])
    return Plan(day=day, window_days=window_days, quota=quota, digest=digest,
                items=tuple(chosen))


# --- storage form (DailyPlan.inputs / .items) ---------------------------------------------
def candidates_to_json(candidates: Iterable[Candidate]) -> list[list]:
    return [[c.instrument_id, c.last_checked_on.isoformat() if c.last_checked_on else None,
             c.failures, c.complaints]
            for c in sorted(candidates, key=lambda c: c.instrument_id)]


def candidates_from_json(rows: list[list]) -> list[Candidate]:
    return [Candidate(int(pk), date.fromisoformat(last) if last else None, int(f), int(c))
            for pk, last, f, c in rows]


def items_to_json(items: Iterable[PlanItem]) -> list[dict]:
    return [{"instrument": i.instrument_id, "reason": i.reason, "due_on": i.due_on.isoformat(),
             "weight": round(i.weight, 4)} for i in items]
