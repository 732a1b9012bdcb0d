"""Pure rules: density, Fruin level of service, alert level and entry control.

No database here, so the hysteresis can be reasoned about (and tested) in isolation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import LEVEL_RANK, Control, Level

# Fruin walkway levels of service by area per person (m²/person), DESIGN section 6.
FRUIN = [(Decimal("3.3"), "A"), (Decimal("2.3"), "B"), (Decimal("1.4"), "C"),
         (Decimal("0.9"), "D"), (Decimal("0.5"), "E")]


@dataclass(frozen=True)
class Thresholds:
    yellow: int = 80
    orange: int = 90
    red: int = 100
    margin: int = 3
    limit_at: int = 90
    open_below: int = 80
    close_at: int = 100
    reopen_below: int = 92
    unstable_density: Decimal = Decimal("4.00")

    @classmethod
    def of(cls, zone) -> Thresholds:
        return cls(zone.yellow_pct, zone.orange_pct, zone.red_pct, zone.level_margin_pct,
                   zone.limit_at_pct, zone.open_below_pct, zone.close_at_pct,
                   zone.reopen_below_pct, Decimal(zone.unstable_density))


def percent(occupancy: int, capacity: int) -> Decimal:
    """Exact (to 28 digits): levels and entry control compare this, never a rounded one,
    so 1,999 of 2,000 (99.95 %) is below a 100 % bound."""
    return Decimal(occupancy) * 100 / Decimal(max(1, capacity))


def density(occupancy: int, area_m2: Decimal) -> Decimal:
    """Exact persons per m²: 4.005 is above a 4.00 bound."""
    return Decimal(occupancy) / Decimal(area_m2)


def shown_percent(value: Decimal) -> Decimal:
    """For display and for the stored records (alerts, control events): 0.1 %."""
    return value.quantize(Decimal("0.1"))


def shown_density(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def fruin_los(occupancy: int, area_m2: Decimal) -> str:
    if occupancy <= 0:
        return "A"
    per_person = Decimal(area_m2) / occupancy
    for bound, grade in FRUIN:
        if per_person > bound:
            return grade
    return "F"


def level_for(pct: Decimal, dens: Decimal, current: str, t: Thresholds) -> tuple[str, str]:
    """(level, reason). Rising is immediate; falling needs ``margin`` points below the bound."""
    if dens > t.unstable_density:
        return Level.RED, "density_unstable"
    bounds = [(Level.RED, t.red), (Level.ORANGE, t.orange), (Level.YELLOW, t.yellow)]
    raw = next((lvl for lvl, bound in bounds if pct >= bound), Level.GREEN)
    if LEVEL_RANK[raw] >= LEVEL_RANK[Level(current)]:
        return raw, f"pct_{raw}" if raw != Level.GREEN else "pct_normal"
    # Falling: stay at the highest level whose bound minus the margin is still reached.
    for lvl, bound in bounds:
        if LEVEL_RANK[lvl] <= LEVEL_RANK[Level(current)] and pct >= bound - t.margin:
            return lvl, "hysteresis_hold" if lvl == current else f"pct_{lvl}"
    return Level.GREEN, "pct_normal"


def control_for(pct: Decimal, dens: Decimal, current: str, t: Thresholds) -> tuple[str, str]:
    """(control, reason): open ⇄ limited ⇄ closed with separate up and down thresholds."""
    unstable = dens > t.unstable_density
    if unstable or pct >= t.close_at:
        return Control.CLOSED, ("density_unstable" if unstable else "pct_at_close")
    if current == Control.CLOSED:
        if pct < t.open_below:
            return Control.OPEN, "pct_below_open"
        if pct < t.reopen_below:
            return Control.LIMITED, "pct_below_reopen"
        return Control.CLOSED, "hysteresis_hold"
    if pct >= t.limit_at:
        return Control.LIMITED, "pct_at_limit" if current == Control.OPEN else "hysteresis_hold"
    if current == Control.LIMITED:
        if pct < t.open_below:
            return Control.OPEN, "pct_below_open"
        return Control.LIMITED, "hysteresis_hold"
    return Control.OPEN, "pct_normal"


def forecast(occupancy: int, net_per_minute: list[int], horizon: int = 15) -> int:
    """Occupancy in ``horizon`` minutes from a linear trend of recent net flow, ≥ 0.

    Least squares on the last minutes' net flow (entries − exits), extrapolated and
    summed over the horizon; with fewer than three minutes the mean flow is used.
    """
    n = len(net_per_minute)
    if n == 0:
        return max(0, occupancy)
    if n < 3:
        return max(0, round(occupancy + horizon * sum(net_per_minute) / n))
    xs = range(n)
    mean_x = (n - 1) / 2
    mean_y = sum(net_per_minute) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, net_per_minute, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    total = sum(intercept + slope * (n - 1 + k) for k in range(1, horizon + 1))
    return max(0, round(occupancy + total))
