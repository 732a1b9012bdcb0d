"""The stored daily plan over a simulated month, through the database and the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.district_settings import district_settings_update
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import planner, selectors, services, tasks
from shangquan.scales.models import DailyPlan, Instrument, SpotCheck

from .factories import instrument_factory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_every_instrument_is_checked_within_its_window_over_a_month(north):
    checker = north.people[Role.DEPARTMENT]
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="scales", values={"check_window_days": 5})
    shops = [merchant_factory(north.district) for _ in range(4)]
    instruments = [instrument_factory(north.district, shops[i % 4]) for i in range(12)]
    Instrument.objects.update(created_at=_at(START - dt.timedelta(days=1)))
    late = None
    for offset in range(30):
        day = START + dt.timedelta(days=offset)
        if offset == 9:  # a scale registered mid-month joins the plan the next day
            late = instrument_factory(north.district, shops[0])
            Instrument.objects.filter(pk=late.pk).update(created_at=_at(day, 20))
        stored = services.plan_ensure(district=north.district, day=day)
        for row in stored.items:
            instrument = Instrument.objects.get(pk=row["instrument"])
            # One scale in ten reads 30 g high and fails; it is repaired the same day.
            reading = "5030" if (offset + instrument.pk) % 10 == 0 else "5000"
            services.spot_check_record(actor=checker, district=north.district,
                                       instrument=instrument, load_g="5000",
                                       indications=[reading], planned=True,
                                       checked_at=_at(day))
            if reading != "5000":
                services.spot_check_record(actor=checker, district=north.district,
                                           instrument=instrument, load_g="5000",
                                           indications=["5000"], checked_at=_at(day, 11))
                services.instrument_reinstate(actor=checker, district=north.district,
                                              instrument=instrument)
    end = START + dt.timedelta(days=29)
    for instrument in [*instruments, late]:
        days = sorted(set(SpotCheck.objects.filter(instrument=instrument, planned=True)
                          .values_list("checked_on", flat=True)))
        assert days, instrument
        edges = [*days, end]
        gaps = [(b - a).days for a, b in zip(edges, edges[1:], strict=False)]
        assert max(gaps) <= 5, (instrument, days)
    assert days[0] == START + dt.timedelta(days=9)  # the late one, on its first day
    assert DailyPlan.objects.filter(district=north.district).count() == 30


def test_stored_plan_is_frozen_and_reproducible_from_its_inputs(north):
    shop = merchant_factory(north.district)
    for _ in range(8):
        instrument_factory(north.district, shop)
    today = timezone.localdate()
    stored = services.plan_ensure(district=north.district, day=today)
    instrument_factory(north.district, shop)  # registered after the plan was made
    assert services.plan_ensure(district=north.district, day=today).pk == stored.pk
    again = planner.plan_day(day=today, district_code=north.district.code,
                             candidates=planner.candidates_from_json(stored.inputs),
                             window_days=stored.window_days, quota=stored.quota)
    assert again.digest == stored.digest
    assert planner.items_to_json(again.items) == stored.items
    assert AuditLog.objects.filter(action="scales.plan.create").count() == 1


def test_failures_and_complaints_feed_the_plan_inputs(north):
    shop = merchant_factory(north.district)
    other = merchant_factory(north.district)
    risky = instrument_factory(north.district, shop)
    plain = instrument_factory(north.district, other)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.spot_check_record(actor=north.people[Role.DEPARTMENT], district=north.district,
                               instrument=risky, load_g="5000", indications=["5100"],
                               checked_at=_at(yesterday))
    Instrument.objects.filter(pk=risky.pk).update(status="in_use")
    record = services.reweigh_record(actor=SYSTEM, district=north.district, merchant=shop,
                                     goods="牛肉", band="standard", claimed_g="1000",
                                     measured_g="900")
    services.reweigh_complain(actor=SYSTEM, district=north.district, reweigh=record)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    by_id = {c.instrument_id: c for c in selectors.plan_candidates(district=north.district,
                                                                   day=tomorrow)}
    assert by_id[risky.pk].failures == 1
    # the short re-weigh and its work order are one complaint, not two
    assert by_id[risky.pk].complaints == 1
    assert by_id[plain.pk].failures == by_id[plain.pk].complaints == 0


def test_periodic_tasks_run(north):
    shop = merchant_factory(north.district)
    instrument_factory(north.district, shop)
    assert tasks.daily_plans.call() >= 1
    assert DailyPlan.objects.filter(district=north.district, day=timezone.localdate()).exists()
    result = tasks.certificates_sweep.call()
    assert set(result) == {"warned", "suspended"}
