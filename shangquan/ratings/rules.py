"""The arithmetic of a rating, pure (no database): trimmed means, party shares, evidence
adjustments, the weighted total, grade bands and the cap.

All numbers are integers or tenths (87.5 is 875), so a result is exact and repeatable.

- A staff party's dimension score is the mean of its raters' scores on that dimension.
- The residents' score is the trimmed mean of their star scores (1–5 → 20–100): the
  ``trim_percent`` lowest and highest are dropped, which blunts a brigade of 1-star or
  5-star votes. Fewer than ``min_residents`` scores: the residents' share moves to the
  other parties in proportion to their shares. The same for any party with no score.
- A dimension's sub-score = Σ share × party score (residents' overall score counts on
  every dimension) + the adjustments on that dimension, clamped to 0–100.
- The total = Σ weight × sub-score ÷ Σ weight.
- Bands: ≥ 90 优秀, 75–89 良好, 60–74 一般, < 60 不合格. A sub-score below 60, or an open
  serious rectification, caps the grade at 良好 (the worst element caps the grade).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

EXCELLENT, GOOD, FAIR, FAIL = "excellent", "good", "fair", "fail"
GRADE_ORDER = [FAIL, FAIR, GOOD, EXCELLENT]
RESIDENTS = "residents"
CAP_FLOOR = 600  # a dimension below 60.0 caps the grade


def _round_div(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def trimmed_mean_tenths(values: Sequence[int], trim_percent: int) -> int | None:
    """The mean of ``values`` (0–100) in tenths after dropping ``trim_percent`` % of the
    lowest and the highest (rounded down per side). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    cut = len(ordered) * trim_percent // 100
    if cut * 2 >= len(ordered):
        cut = (len(ordered) - 1) // 2
    kept = ordered[cut:len(ordered) - cut]
    return _round_div(sum(kept) * 10, len(kept))


def mean_tenths(values: Iterable[int]) -> int | None:
    values = list(values)
    return _round_div(sum(values) * 10, len(values)) if values else None


def band(total_tenths: int) -> str:
    if total_tenths >= 900:
        return EXCELLENT
    if total_tenths >= 750:
        return GOOD
    if total_tenths >= 600:
        return FAIR
    return FAIL


def shares_used(shares: Mapping[str, int], present: Iterable[str]) -> dict[str, int]:
    """The parties' shares in percent (summing to 100) once absent parties' shares move to
    the present ones in proportion; the last present party takes the rounding."""
    present = [p for p in shares if p in set(present) and shares[p] > 0]
    if not present:
        return {}
    base = sum(shares[p] for p in present)
    out = {p: shares[p] * 100 // base for p in present}
    out[present[-1]] += 100 - sum(out.values())
    return out


@dataclass
class Outcome:
    total_tenths: int
    grade: str
    band_grade: str
    capped: bool
    cap_reasons: list[str]
    dimension_tenths: dict[str, int]
    party_tenths: dict[str, int | None]
    shares_used: dict[str, int]
    resident_count: int
    adjustments_tenths: dict[str, int] = field(default_factory=dict)


def compute(*, dimensions: Sequence[Mapping], shares: Mapping[str, int],
            staff_scores: Mapping[str, Mapping[str, Sequence[int]]],
            resident_values: Sequence[int], adjustments: Mapping[str, int],
            min_residents: int, trim_percent: int, open_serious: bool = False) -> Outcome:
    """One merchant's outcome.

    ``dimensions``: [{"code", "weight"}]; ``shares``: {party: percent};
    ``staff_scores``: {party: {dimension code: [rater scores 0–100]}};
    ``resident_values``: resident scores 0–100; ``adjustments``: {dimension code: points}.
    """
    codes = [d["code"] for d in dimensions]
    party_dim: dict[str, dict[str, int]] = {}
    for party, by_dim in staff_scores.items():
        means = {code: mean_tenths(by_dim.get(code, ())) for code in codes}
        if any(v is not None for v in means.values()):
            party_dim[party] = {c: v for c, v in means.items() if v is not None}
    residents = (trimmed_mean_tenths(resident_values, trim_percent)
                 if len(resident_values) >= max(min_residents, 1) else None)
    party_tenths: dict[str, int | None] = {p: None for p in shares}
    for party, by_dim in party_dim.items():
        party_tenths[party] = _round_div(sum(by_dim.values()), len(by_dim))
    party_tenths[RESIDENTS] = residents if RESIDENTS in shares else None

    dimension_tenths: dict[str, int] = {}
    used_by_dim: dict[str, dict[str, int]] = {}
    for code in codes:
        values = {p: v[code] for p, v in party_dim.items() if code in v}
        if residents is not None and shares.get(RESIDENTS, 0) > 0:
            values[RESIDENTS] = residents
        used = shares_used(shares, values)
        used_by_dim[code] = used
        raw = _round_div(sum(used[p] * values[p] for p in used), 100) if used else 0
        raw += adjustments.get(code, 0) * 10
        dimension_tenths[code] = max(0, min(1000, raw))
    weight = sum(int(d["weight"]) for d in dimensions) or 1
    total = _round_div(sum(int(d["weight"]) * dimension_tenths[d["code"]] for d in dimensions),
                       weight)
    band_grade = band(total)
    reasons = [f"dimension:{c}" for c in codes if dimension_tenths[c] < CAP_FLOOR]
    if open_serious:
        reasons.append("open_serious_rectification")
    grade = band_grade
    capped = False
    if reasons and GRADE_ORDER.index(band_grade) > GRADE_ORDER.index(GOOD):
        grade, capped = GOOD, True
    # the shares as the merchant sees them: those of the first fully scored dimension
    overall = shares_used(shares, [p for p, v in party_tenths.items() if v is not None])
    return Outcome(total_tenths=total, grade=grade, band_grade=band_grade, capped=capped,
                   cap_reasons=reasons, dimension_tenths=dimension_tenths,
                   party_tenths=party_tenths, shares_used=overall,
                   resident_count=len(resident_values),
                   adjustments_tenths={c: adjustments.get(c, 0) * 10 for c in codes})
