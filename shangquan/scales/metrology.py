"""Non-automatic weighing instruments: maximum permissible errors and spot-check judgement.

Pure functions over :class:`~decimal.Decimal` (no Django, no floats), so the band edges
are exact. Sources:

- OIML R76-1:2006 *Non-automatic weighing instruments*, 3.5.1 (MPE on verification,
  table 6), 3.5.2 (in service = twice the verification MPE), 3.6.1 (repeatability:
  max − min of several weighings of the same load ≤ |MPE| for that load), table 3
  (minimum capacity Min = 20e for class III, 10e for class IIII; n = Max/e ≤ 10 000 for
  class III, ≤ 1 000 for class IIII; e ≥ 0.1 g for III, ≥ 5 g for IIII).
- JJG 539-2016 《数字指示秤》 takes the same table: 首次检定 and 后续检定 use the table,
  使用中检查 twice the table.

Loads are expressed in multiples m of the verification interval e. The upper edge of
each band belongs to that band: 500e is still ±0.5e (class III, initial), 500e plus
one gram is ±1e.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class AccuracyClass(StrEnum):
    MEDIUM = "III"
    ORDINARY = "IIII"


class Basis(StrEnum):
    """Which MPE applies: a new instrument meets the verification table, one in use twice it."""

    INITIAL = "initial"
    IN_SERVICE = "in_service"


# (upper edge of the band in e, MPE in e at initial verification); R76 table 6.
MPE_BANDS: dict[str, tuple[tuple[Decimal, Decimal], ...]] = {
    AccuracyClass.MEDIUM: ((Decimal(500), Decimal("0.5")), (Decimal(2000), Decimal(1)),
                           (Decimal(10000), Decimal("1.5"))),
    AccuracyClass.ORDINARY: ((Decimal(50), Decimal("0.5")), (Decimal(200), Decimal(1)),
                             (Decimal(1000), Decimal("1.5"))),
}
MIN_IN_E = {AccuracyClass.MEDIUM: Decimal(20), AccuracyClass.ORDINARY: Decimal(10)}
# R76 table 3: the number of verification intervals n = Max / e.
N_RANGE = {AccuracyClass.MEDIUM: (Decimal(100), Decimal(10000)),
           AccuracyClass.ORDINARY: (Decimal(100), Decimal(1000))}
MIN_E_GRAMS = {AccuracyClass.MEDIUM: Decimal("0.1"), AccuracyClass.ORDINARY: Decimal(5)}
IN_SERVICE_FACTOR = Decimal(2)


class MetrologyError(ValueError):
    """Input the judgement cannot accept; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: Decimal | str) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)


# Weights are stored as grams with three decimals and twelve digits: refuse what the
# columns cannot hold instead of failing on save.
LARGEST = Decimal("1e8")
FINEST = Decimal("0.001")


def dec(value: Decimal | int | str | float) -> Decimal:
    """A Decimal from user input without binary-float noise (0.1 stays 0.1)."""
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        raise MetrologyError("not_a_number", value=str(value)[:20]) from None
    if not result.is_finite():
        raise MetrologyError("not_a_number", value=str(value)[:20])
    if abs(result) >= LARGEST:
        raise MetrologyError("too_large", value=str(value)[:20])
    if result != result.quantize(FINEST):
        raise MetrologyError("too_precise", value=str(value)[:20])
    return result


def accuracy_class(value: str) -> AccuracyClass:
    try:
        return AccuracyClass(str(value).upper())
    except ValueError:
        raise MetrologyError("unknown_class", value=str(value)[:8]) from None


def validate_instrument(*, max_capacity: Decimal, e: Decimal, cls: str) -> None:
    """Max, e and class must describe a class III/IIII instrument (R76 table 3)."""
    klass = accuracy_class(cls)
    max_capacity, e = dec(max_capacity), dec(e)
    if e <= 0 or max_capacity <= 0:
        raise MetrologyError("non_positive")
    if e < MIN_E_GRAMS[klass]:
        raise MetrologyError("e_too_small", minimum=MIN_E_GRAMS[klass], cls=klass.value)
    low, high = N_RANGE[klass]
    n = max_capacity / e
    if n != n.to_integral_value():
        raise MetrologyError("max_not_multiple_of_e")
    if not low <= n <= high:
        raise MetrologyError("n_out_of_range", n=n, low=low, high=high, cls=klass.value)


def min_capacity(*, e: Decimal, cls: str) -> Decimal:
    return MIN_IN_E[accuracy_class(cls)] * dec(e)


def mpe(*, load: Decimal, e: Decimal, cls: str, basis: str = Basis.IN_SERVICE) -> Decimal:
    """The maximum permissible error (same unit as ``load`` and ``e``) for a load."""
    klass = accuracy_class(cls)
    load, e = dec(load), dec(e)
    if e <= 0 or load < 0:
        raise MetrologyError("non_positive")
    m = load / e
    for upper, mpe_in_e in MPE_BANDS[klass]:
        if m <= upper:
            factor = IN_SERVICE_FACTOR if Basis(basis) == Basis.IN_SERVICE else Decimal(1)
            return mpe_in_e * factor * e
    raise MetrologyError("beyond_table", load=load, limit=MPE_BANDS[klass][-1][0] * e)


def check_load(*, load: Decimal, e: Decimal, max_capacity: Decimal, cls: str) -> None:
    """A test load must lie within [Min, Max]; below Min relative errors are meaningless."""
    load = dec(load)
    minimum = min_capacity(e=e, cls=cls)
    if load < minimum:
        raise MetrologyError("below_min", load=load, minimum=minimum)
    if load > dec(max_capacity):
        raise MetrologyError("above_max", load=load, maximum=dec(max_capacity))


@dataclass(frozen=True)
class Judgement:
    load: Decimal
    indications: tuple[Decimal, ...]
    errors: tuple[Decimal, ...]  # indication − load, signed
    worst_error: Decimal  # the error of largest magnitude, signed
    mpe: Decimal
    basis: str
    repeatability: Decimal | None  # max − min of the indications, when more than one
    errors_ok: bool
    repeatability_ok: bool

    @property
    def passed(self) -> bool:
        return self.errors_ok and self.repeatability_ok

    @property
    def reads_high(self) -> bool:
        """The scale shows more than is on it: the buyer gets less than they pay for."""
        return self.worst_error > 0


def judge(*, load: Decimal, indications: Sequence[Decimal | str | int], e: Decimal,
          max_capacity: Decimal, cls: str, basis: str = Basis.IN_SERVICE) -> Judgement:
    """Pass or fail one test load: every |E| ≤ MPE and, with repeats, max − min ≤ |MPE|."""
    load, e = dec(load), dec(e)
    readings = tuple(dec(i) for i in indications)
    if not readings:
        raise MetrologyError("no_indications")
    if any(r < 0 for r in readings):
        raise MetrologyError("negative_indication")
    check_load(load=load, e=e, max_capacity=max_capacity, cls=cls)
    limit = mpe(load=load, e=e, cls=cls, basis=basis)
    errors = tuple(r - load for r in readings)
    worst = max(errors, key=lambda err: (abs(err), err))
    spread = max(readings) - min(readings) if len(readings) > 1 else None
    return Judgement(load=load, indications=readings, errors=errors, worst_error=worst,
                     mpe=limit, basis=str(Basis(basis)), repeatability=spread,
                     errors_ok=all(abs(err) <= limit for err in errors),
                     repeatability_ok=spread is None or spread <= limit)
