"""A realistic night-market evening for the demo, the tests and the benchmarks.

Arrivals follow a curve that rises from 17:00, peaks between 19:00 and 21:00 and fades
towards closing; each visitor stays about the zone's mean stay. Per simulated minute
every gate produces one reading (entries and exits since its previous reading).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings


def arrival_shape(local: dt.time) -> float:
    """Relative arrival rate (peak 1.0 around 20:00), zero outside 16:30–23:30."""
    hours = local.hour + local.minute / 60
    if hours < 16.5 or hours > 23.5:
        return 0.0
    evening = math.exp(-((hours - 20.0) ** 2) / (2 * 1.05 ** 2))
    return 0.08 + 0.92 * evening if hours < 23 else 0.05


@dataclass
class SimZone:
    key: int
    capacity: int
    mean_stay: int
    gates: list[str]
    peak_ratio: float = 1.0  # peak occupancy as a share of capacity
    present: float = 0.0

    @property
    def peak_rate(self) -> float:
        # Little's law: occupancy ≈ arrival rate × stay; the shape is ~1 for two hours.
        return self.capacity * self.peak_ratio / max(1, self.mean_stay)


@dataclass
class Tick:
    minute: int
    ts: dt.datetime
    readings: dict[str, tuple[int, int]] = field(default_factory=dict)  # gate -> (in, out)


def evening(zones: list[SimZone], *, day: dt.date, start: dt.time = dt.time(17, 0),
            end: dt.time = dt.time(23, 30), seed: int = 7) -> Iterator[Tick]:
    """Yield one tick per simulated minute with each gate's entries and exits."""
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    t = dt.datetime.combine(day, start, tzinfo=tz)
    stop = dt.datetime.combine(day, end, tzinfo=tz)
    if stop <= t:
        stop += dt.timedelta(days=1)
    minute = 0
    while t < stop:
        tick = Tick(minute, t + dt.timedelta(seconds=59))
        for zone in zones:
            rate = zone.peak_rate * arrival_shape(t.time())
            arrivals = _poisson(rng, rate)
            leaving = _binomial(rng, round(zone.present), 1 / max(1, zone.mean_stay))
            if t.time() >= dt.time(23, 0):  # closing: everybody heads out
                leaving = max(leaving, round(zone.present * 0.12))
            zone.present = max(0.0, zone.present + arrivals - leaving)
            for gate, (ins, outs) in zip(zone.gates, _split(rng, arrivals, leaving,
                                                            len(zone.gates)), strict=True):
                tick.readings[gate] = (ins, outs)
        yield tick
        t += dt.timedelta(minutes=1)
        minute += 1


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation keeps big zones fast
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0:
        return 0
    if n > 60:
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        return min(n, max(0, round(rng.gauss(mean, sd))))
    return sum(1 for _ in range(n) if rng.random() < p)


def _split(rng: random.Random, ins: int, outs: int, parts: int) -> list[tuple[int, int]]:
    """Share a zone's flows over its gates (the first gate, the main one, takes most)."""
    if parts == 1:
        return [(ins, outs)]
    weights = [2.0] + [1.0] * (parts - 1)
    result = [[0, 0] for _ in range(parts)]
    for index, total in ((0, ins), (1, outs)):
        for _ in range(total):
            result[rng.choices(range(parts), weights)[0]][index] += 1
    return [(a, b) for a, b in result]
