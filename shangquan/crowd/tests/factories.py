"""Crowd test data, built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.crowd import services

_seq = itertools.count(1)


def zone_factory(district, *, name: str | None = None, area_m2: float = 100,
                 area_per_person: float = 1.0, reset_at: dt.datetime | None = None,
                 **fields):
    zone = services.zone_create(actor=SYSTEM, district=district,
                                name=name or f"区域{next(_seq)}", area_m2=area_m2,
                                area_per_person=area_per_person, **fields)
    if reset_at is not None:
        zone = services.zone_reset(actor=SYSTEM, zone=zone, at=reset_at)
    return zone


def gate_factory(district, zone, *, code: str | None = None):
    n = next(_seq)
    gate, raw = services.gate_create(actor=SYSTEM, district=district, zone=zone,
                                     code=code or f"G{n}", name=f"{zone.name}闸机{n}")
    return gate, raw


def evening_start() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


def reading(seq: int, ts: dt.datetime, entries: int = 0, exits: int = 0) -> dict:
    return {"seq": seq, "ts": ts.isoformat(), "entries": entries, "exits": exits}
