"""Levels and entry control compare exact values; rounding is for display only (issue 11)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shangquan.crowd import rules
from shangquan.crowd.models import Control, Level

T = rules.Thresholds()  # yellow 80, close at 100, unstable above 4.00 persons/m²


def test_one_short_of_capacity_does_not_close_the_entry():
    pct = rules.percent(1999, 2000)  # 99.95 %: rounded to 0.1 it was 100.0
    assert pct < 100
    assert rules.control_for(pct, Decimal("1"), Control.LIMITED, T)[0] == Control.LIMITED
    assert rules.control_for(rules.percent(2000, 2000), Decimal("1"), Control.LIMITED,
                             T)[0] == Control.CLOSED
    assert rules.shown_percent(pct) == Decimal("100.0")  # the board may still show 100.0


def test_just_below_yellow_stays_green():
    pct = rules.percent(1599, 2000)  # 79.95 %
    assert rules.level_for(pct, Decimal("1"), Level.GREEN, T)[0] == Level.GREEN
    assert rules.level_for(rules.percent(1600, 2000), Decimal("1"), Level.GREEN,
                           T)[0] == Level.YELLOW


def test_a_density_just_above_the_bound_counts_as_above():
    dens = rules.density(801, Decimal("200"))  # 4.005 persons/m²: rounded it was 4.00
    assert dens > Decimal("4.00")
    assert rules.level_for(Decimal("50"), dens, Level.GREEN, T) == (Level.RED,
                                                                   "density_unstable")
    assert rules.control_for(Decimal("50"), dens, Control.OPEN, T)[0] == Control.CLOSED
    assert rules.shown_density(dens) == Decimal("4.00")
    assert rules.density(800, Decimal("200")) == 4  # exactly the bound: not above


@pytest.mark.django_db
def test_the_live_zone_closes_only_at_capacity_and_stores_rounded_records(north):
    from shangquan.core.actors import SYSTEM
    from shangquan.crowd import services
    from shangquan.crowd.models import Alert

    from .factories import zone_factory

    zone = zone_factory(north.district, area_m2=10000, area_per_person=5)  # capacity 2000
    assert zone.capacity == 2000
    services.manual_count_record(actor=SYSTEM, zone=zone, counted=1999)
    zone.refresh_from_db()
    assert zone.control != Control.CLOSED and zone.level == Level.ORANGE
    alert = Alert.objects.filter(zone=zone).order_by("-pk").first()
    assert alert is not None and alert.percent == Decimal("100.0")  # shown rounded
    services.manual_count_record(actor=SYSTEM, zone=zone, counted=2000)
    zone.refresh_from_db()
    assert zone.control == Control.CLOSED and zone.level == Level.RED
