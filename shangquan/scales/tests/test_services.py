"""Registry, spot checks, certificates and re-weighs through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.district_settings import district_settings_update
from shangquan.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, member_factory
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import selectors, services
from shangquan.scales.models import Instrument, Reweigh, SpotCheck

from .factories import instrument_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, name="老王水果摊", owner=north.people[Role.MERCHANT])


@pytest.fixture
def checker(north):
    return north.people[Role.DEPARTMENT]  # 市场监管


# --- registry ---------------------------------------------------------------------------
def test_register_computes_next_due_yearly_and_audits(north, shop):
    instrument = services.instrument_register(
        actor=north.people[Role.COMMITTEE], district=north.district, merchant=shop,
        maker="凯丰", serial_no="KF-001", max_capacity_g="15000", e_g="5",
        certificate_no="锦计检 2026-0001", certificate_date=dt.date(2026, 2, 29 - 1))
    assert instrument.next_due == dt.date(2027, 2, 28)
    assert instrument.status == Instrument.Status.IN_USE and not instrument.is_new
    row = AuditLog.objects.get(action="scales.instrument.register")
    assert row.after["serial_no"] == "KF-001" and row.district_id == north.district.pk


def test_register_rejects_inconsistent_metrology_with_chinese_message(north, shop):
    with pytest.raises(ValidationFailed) as info:
        services.instrument_register(actor=north.people[Role.COMMITTEE], district=north.district,
                                     merchant=shop, maker="凯丰", serial_no="KF-002",
                                     max_capacity_g="300000", e_g="100", accuracy_class="IIII")
    assert info.value.code == "n_out_of_range"
    assert "3000" in str(info.value.message)


def test_serial_is_unique_per_maker_in_a_district(north, south, shop):
    instrument_factory(north.district, shop, maker="凯丰", serial_no="KF-9")
    with pytest.raises(Conflict):
        instrument_factory(north.district, shop, maker="凯丰", serial_no="KF-9")
    instrument_factory(north.district, shop, maker="友声", serial_no="KF-9")
    instrument_factory(south.district, merchant_factory(south.district), maker="凯丰",
                       serial_no="KF-9")


def test_merchant_cannot_register_and_sees_only_own(north, shop):
    other = merchant_factory(north.district)
    mine = instrument_factory(north.district, shop)
    instrument_factory(north.district, other)
    merchant_user = north.people[Role.MERCHANT]
    with pytest.raises(PermissionDenied):
        services.instrument_register(actor=merchant_user, district=north.district, merchant=shop,
                                     maker="x", serial_no="y", max_capacity_g="15000", e_g="5")
    visible = selectors.instrument_list(user=merchant_user, district=north.district)
    assert list(visible) == [mine]


def test_other_district_merchant_is_not_found(north, south):
    foreign = merchant_factory(south.district)
    with pytest.raises(NotFound):
        services.instrument_register(actor=north.people[Role.COMMITTEE], district=north.district,
                                     merchant=foreign, maker="x", serial_no="y",
                                     max_capacity_g="15000", e_g="5")


def test_commitment_covers_the_merchants_instruments(north, shop):
    a = instrument_factory(north.district, shop)
    b = instrument_factory(north.district, shop)
    services.commitment_sign(actor=north.people[Role.MERCHANT], district=north.district,
                             merchant=shop, signed_on=timezone.localdate())
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.commitment_signed_on == b.commitment_signed_on == timezone.localdate()
    with pytest.raises(NotFound):  # another merchant's owner cannot sign for this shop
        services.commitment_sign(actor=member_factory(north.district, Role.MERCHANT),
                                 district=north.district, merchant=shop,
                                 signed_on=timezone.localdate())


# --- spot checks ------------------------------------------------------------------------
def test_passing_check_is_recorded_with_in_service_mpe(north, shop, checker):
    instrument = instrument_factory(north.district, shop)
    check = services.spot_check_record(actor=checker, district=north.district,
                                       instrument=instrument, load_g="5000",
                                       indications=["5005", "5010"])
    assert check.passed and check.mpe_g == D(10) and check.basis == "in_service"
    assert check.repeatability_g == D(5) and check.worst_error_g == D(10)
    assert check.indications == ["5005", "5010"]


def test_failed_check_suspends_scale_and_reaches_the_merchant(north, shop, checker):
    from shangquan.inspections.models import Rectification

    instrument = instrument_factory(north.district, shop)
    check = services.spot_check_record(actor=checker, district=north.district,
                                       instrument=instrument, load_g="5000",
                                       indications=["5030"])
    assert not check.passed
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.SUSPENDED
    assert instrument.status_reason == Instrument.StatusReason.FAILED_CHECK
    order = Rectification.objects.get(pk=check.rectification_id)
    assert order.merchant == shop and order.source == "spot_check"
    assert order.source_ref == str(check.pk)
    assert order.severity == "serious"  # reads high by more than twice the limit
    titles = list(Notification.objects.filter(user=shop.owner).values_list("title", flat=True))
    assert "计量器具查验不合格，已停用" in titles
    note = Notification.objects.get(user=shop.owner, title="计量器具查验不合格，已停用")
    assert note.link == f"/console/{north.district.code}/scales/{instrument.pk}/"
    assert any("整改" in t for t in titles)
    actions = set(AuditLog.objects.filter(district=north.district)
                  .values_list("action", flat=True))
    assert {"scales.spotcheck.record", "scales.instrument.suspend", "inspections.rectification.issue"} <= actions


def test_grid_leader_check_failure_is_issued_by_the_system(north, shop):
    from shangquan.inspections.models import Rectification

    instrument = instrument_factory(north.district, shop)
    check = services.spot_check_record(actor=north.people[Role.GRID_LEADER],
                                       district=north.district, instrument=instrument,
                                       load_g="2000", indications=["1985"])
    order = Rectification.objects.get(pk=check.rectification_id)
    assert order.issued_by is None and order.severity == "major"


def test_load_below_min_is_rejected_in_chinese(north, shop, checker):
    instrument = instrument_factory(north.district, shop)
    with pytest.raises(ValidationFailed) as info:
        services.spot_check_record(actor=checker, district=north.district,
                                   instrument=instrument, load_g="50", indications=["50"])
    assert info.value.code == "below_min"
    assert "最小秤量 Min 100 克" in str(info.value.message)
    with pytest.raises(ValidationFailed) as info:
        services.spot_check_record(actor=checker, district=north.district,
                                   instrument=instrument, load_g="20000", indications=["20000"])
    assert info.value.code == "above_max"
    assert not SpotCheck.objects.exists()


def test_only_metrology_departments_check(north, shop):
    fire = department_factory(north.district, "xf", "消防救援")
    firefighter = member_factory(north.district, Role.DEPARTMENT, department=fire)
    instrument = instrument_factory(north.district, shop)
    with pytest.raises(PermissionDenied) as info:
        services.spot_check_record(actor=firefighter, district=north.district,
                                   instrument=instrument, load_g="5000", indications=["5000"])
    assert info.value.code == "not_a_metrology_department"
    with pytest.raises(PermissionDenied):
        services.spot_check_record(actor=north.people[Role.MERCHANT], district=north.district,
                                   instrument=instrument, load_g="5000", indications=["5000"])


def test_new_instrument_uses_initial_mpe_and_is_accepted_by_a_pass(north, shop, checker):
    instrument = instrument_factory(north.district, shop, is_new=True)
    assert instrument.is_new
    check = services.spot_check_record(actor=checker, district=north.district,
                                       instrument=instrument, load_g="5000",
                                       indications=["5005"])
    assert check.basis == "initial" and check.mpe_g == D(5) and check.passed
    instrument.refresh_from_db()
    assert instrument.in_service_since == check.checked_on


def test_reinstate_needs_a_passed_recheck(north, shop, checker):
    instrument = instrument_factory(north.district, shop)
    services.spot_check_record(actor=checker, district=north.district, instrument=instrument,
                               load_g="5000", indications=["5030"])
    with pytest.raises(InvalidTransition) as info:
        services.instrument_reinstate(actor=checker, district=north.district,
                                      instrument=instrument)
    assert info.value.code == "recheck_required"
    services.spot_check_record(actor=checker, district=north.district, instrument=instrument,
                               load_g="5000", indications=["5000"])
    services.instrument_reinstate(actor=checker, district=north.district, instrument=instrument)
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.IN_USE and instrument.status_reason == ""


def test_retired_instrument_cannot_be_checked(north, shop, checker):
    instrument = instrument_factory(north.district, shop)
    services.instrument_retire(actor=checker, district=north.district, instrument=instrument)
    with pytest.raises(InvalidTransition):
        services.spot_check_record(actor=checker, district=north.district,
                                   instrument=instrument, load_g="5000", indications=["5000"])


# --- certificates -----------------------------------------------------------------------
def test_certificate_sweep_warns_once_then_suspends_on_expiry(north, shop):
    today = timezone.localdate()
    soon = instrument_factory(north.district, shop, certificate_date=today - dt.timedelta(days=350),
                              next_due=today + dt.timedelta(days=10))
    gone = instrument_factory(north.district, shop, certificate_date=today - dt.timedelta(days=400),
                              next_due=today - dt.timedelta(days=1))
    assert services.certificates_sweep(district=north.district) == {"warned": 1, "suspended": 1}
    assert services.certificates_sweep(district=north.district) == {"warned": 0, "suspended": 0}
    soon.refresh_from_db()
    gone.refresh_from_db()
    assert soon.status == Instrument.Status.IN_USE
    assert gone.status == Instrument.Status.SUSPENDED and gone.status_reason == "expired"
    overview = selectors.certificates_overview(user=north.people[Role.COMMITTEE],
                                               district=north.district)
    assert overview["due_soon"] == [soon] and overview["overdue"] == [gone]


def test_certificate_sweep_can_be_configured_not_to_suspend(north, shop):
    today = timezone.localdate()
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="scales", values={"suspend_on_expiry": False})
    gone = instrument_factory(north.district, shop, certificate_date=today - dt.timedelta(days=400),
                              next_due=today - dt.timedelta(days=1))
    assert services.certificates_sweep(district=north.district)["suspended"] == 0
    gone.refresh_from_db()
    assert gone.status == Instrument.Status.IN_USE


def test_reinstating_an_expired_scale_needs_a_new_certificate(north, shop, checker):
    today = timezone.localdate()
    gone = instrument_factory(north.district, shop, certificate_date=today - dt.timedelta(days=400),
                              next_due=today - dt.timedelta(days=1))
    services.certificates_sweep(district=north.district)
    with pytest.raises(InvalidTransition):
        services.instrument_reinstate(actor=checker, district=north.district, instrument=gone)
    services.instrument_update(actor=checker, district=north.district, instrument=gone,
                               certificate_no="新证书", certificate_date=today)
    services.instrument_reinstate(actor=checker, district=north.district, instrument=gone)


# --- re-weighs --------------------------------------------------------------------------
def test_reweigh_within_deviation_cannot_be_complained(north, shop):
    record = services.reweigh_record(actor=north.people[Role.RESIDENT], district=north.district,
                                     merchant=shop, goods="香菇", unit_price="16",
                                     price_unit="jin", claimed_g="1000", measured_g="998")
    assert record.band == "dried" and record.verdict == "within"
    assert record.unit_price_per_kg == D("32.00")
    with pytest.raises(InvalidTransition):
        services.reweigh_complain(actor=north.people[Role.RESIDENT], district=north.district,
                                  reweigh=record)


def test_reweigh_shortfall_creates_a_work_order(north, shop):
    from shangquan.workorders.models import WorkOrder

    record = services.reweigh_record(actor=SYSTEM, district=north.district, merchant=shop,
                                     goods="车厘子", band="premium", claimed_g="1000",
                                     measured_g="950")
    assert record.verdict == "short" and record.shortfall_g == D(50)
    assert record.allowed_g == D(2)
    record = services.reweigh_complain(actor=SYSTEM, district=north.district, reweigh=record)
    order = WorkOrder.objects.get(pk=record.work_order_id)
    assert order.merchant == shop and order.category.code == "metrology"
    assert order.channel == "fair_scale" and "短少 50 克" in order.description
    with pytest.raises(Conflict):
        services.reweigh_complain(actor=SYSTEM, district=north.district, reweigh=record)
    assert Reweigh.objects.get(pk=record.pk).complained_at is not None


def test_reweigh_needs_a_band_or_a_price(north, shop):
    with pytest.raises(ValidationFailed) as info:
        services.reweigh_record(actor=SYSTEM, district=north.district, merchant=shop, goods="苹果",
                                claimed_g="1000", measured_g="990")
    assert info.value.code == "band_required"
    with pytest.raises(ValidationFailed):
        services.reweigh_record(actor=SYSTEM, district=north.district, merchant=shop, goods="苹果",
                                band="staple", claimed_g="-5", measured_g="990")


def test_kpis_pass_rate_by_grid_and_period(north, shop, checker):
    a = instrument_factory(north.district, shop)
    b = instrument_factory(north.district, shop)
    services.spot_check_record(actor=checker, district=north.district, instrument=a,
                               load_g="5000", indications=["5000"])
    services.spot_check_record(actor=checker, district=north.district, instrument=b,
                               load_g="5000", indications=["5050"])
    today = timezone.localdate()
    k = selectors.kpis(user=north.people[Role.COMMITTEE], district=north.district,
                       start=today - dt.timedelta(days=30), end=today)
    assert k["checks"] == 2 and k["passed"] == 1 and k["pass_rate"] == 50.0
    assert sum(g["total"] for g in k["by_grid"]) == 2
    assert k["by_period"][-1]["total"] == 2
    assert k["instruments"]["suspended"] == 1


def test_merchant_check_summary_for_other_modules(north, shop, checker):
    instrument = instrument_factory(north.district, shop)
    ok = services.spot_check_record(actor=checker, district=north.district,
                                    instrument=instrument, load_g="5000", indications=["5000"])
    bad = services.spot_check_record(actor=checker, district=north.district,
                                     instrument=instrument, load_g="5000", indications=["4950"])
    services.reweigh_record(actor=SYSTEM, district=north.district, merchant=shop, goods="梨",
                            band="staple", claimed_g="1000", measured_g="900")
    summary = selectors.merchant_check_summary(merchant=shop)
    assert summary == {"checks": 2, "failed": 1, "failed_check_ids": [bad.pk],
                       "short_reweighs": 1}
    assert ok.pk not in summary["failed_check_ids"]
