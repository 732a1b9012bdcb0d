"""The double-entry ledger: balanced postings, lots, caps, reversals, adjustments, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.points import selectors
from shangquan.points.models import Account, AccountKind, Adjustment, Award, Leg, Lot, Posting
from shangquan.points.services import ledger
from shangquan.points.services.ledger import LegIn
from shangquan.workorders import services as wo_services
from shangquan.workorders.tests.factories import advance, order_factory

from .factories import earn

pytestmark = pytest.mark.django_db


def _accounts(district, user):
    return (ledger.account_for(district=district, user=user),
            ledger._system_account(district, AccountKind.ISSUANCE))


def test_a_new_district_has_the_default_rules(north):
    rules = {r.code: r for r in selectors.rule_list(district=north.district)}
    assert rules["volunteer_hour"].points_per_unit == 10
    assert rules["volunteer_hour"].daily_cap == 40  # at most 4 h a day
    assert rules["report_substantiated"].points_per_unit == 5
    assert rules["grade_excellent"].points_per_unit == 100
    assert rules["grade_excellent"].beneficiary == "merchant"
    assert rules["job_created"].points_per_unit == 50


@pytest.mark.parametrize("legs, code", [
    ([(0, 10), (1, -9)], "unbalanced_posting"),
    ([(0, 10)], "too_few_legs"),
    ([(0, 0), (1, 0)], "zero_leg"),
])
def test_a_posting_that_does_not_balance_is_refused(north, legs, code):
    person, issuance = _accounts(north.district, north.people[Role.RESIDENT])
    accounts = [person, issuance]
    with pytest.raises(ValidationFailed) as exc:
        ledger.posting_create(actor=north.people[Role.COMMITTEE], district=north.district,
                              legs=[LegIn(accounts[i], a) for i, a in legs], key="bad")
    assert exc.value.code == code
    assert not Posting.objects.filter(district=north.district, key="manual:bad").exists()


def test_the_database_refuses_a_negative_balance(north):
    person, _issuance = _accounts(north.district, north.people[Role.RESIDENT])
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=person.pk).update(balance=-1)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_refuses_unbalanced_legs_at_commit(north):
    person, issuance = _accounts(north.district, north.people[Role.RESIDENT])
    with pytest.raises(IntegrityError), transaction.atomic():
        posting = Posting.objects.create(district=north.district, kind="adjust", key="raw")
        Leg.objects.create(district=north.district, posting=posting, account=issuance,
                           amount=-5, balance_after=-5)
        Leg.objects.create(district=north.district, posting=posting, account=person,
                           amount=4, balance_after=4)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_legs_are_append_only(north):
    award = earn(north.district, north.people[Role.RESIDENT], 30)
    leg = award.posting.legs.first()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - engine's own error
        Leg.objects.filter(pk=leg.pk).update(amount=leg.amount + 1)


def test_an_award_is_paid_once_per_source_and_opens_a_lot(north):
    resident = north.people[Role.RESIDENT]
    first = earn(north.district, resident, 30, source="order-1")
    again = earn(north.district, resident, 30, source="order-1")
    assert again.pk == first.pk
    account = selectors.account_mine(user=resident, district=north.district)
    assert account.balance == 30
    lot = Lot.objects.get(account=account)
    assert lot.remaining == 30
    assert lot.expires_on == ledger._add_months(timezone.localdate(), 24)
    assert AuditLog.objects.filter(action="points.award.create", object_id=str(first.pk)).count() == 1


def test_volunteer_hours_are_capped_at_four_a_day(north):
    volunteer = north.people[Role.VOLUNTEER]
    paid = [ledger.award_post(actor=SYSTEM, district=north.district, rule_code="volunteer_hour",
                              source_type="activities.attendance", source_id=str(i),
                              user=volunteer, quantity=q).paid
            for i, q in enumerate(["2.5", "1", "1"])]
    assert paid == [25, 10, 5]  # 4 h = 40 points
    capped = ledger.award_post(actor=SYSTEM, district=north.district, rule_code="volunteer_hour",
                               source_type="activities.attendance", source_id="9",
                               user=volunteer, quantity=2)
    assert capped.paid == 0 and capped.posting is None
    assert selectors.account_mine(user=volunteer, district=north.district).balance == 40


def test_spending_draws_from_the_soonest_expiring_lot_first(north):
    resident = north.people[Role.RESIDENT]
    earn(north.district, resident, 50, source="late")
    earn(north.district, resident, 50, source="early")
    account = selectors.account_mine(user=resident, district=north.district)
    late, early = Lot.objects.filter(account=account).order_by("pk")
    Lot.objects.filter(pk=early.pk).update(expires_on=timezone.localdate() + dt.timedelta(days=10))
    adjustment = ledger.adjustment_request(actor=north.people[Role.COMMITTEE], account=account,
                                           amount=-60, reason="测试扣减")
    assert adjustment.status == Adjustment.Status.APPROVED
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.remaining, late.remaining) == (0, 40)


def test_a_large_adjustment_needs_a_second_person(north, city_admin):
    committee, street = north.people[Role.COMMITTEE], north.people[Role.STREET]
    account = ledger.account_for(district=north.district, user=north.people[Role.RESIDENT])
    adjustment = ledger.adjustment_request(actor=committee, account=account, amount=500,
                                           reason="活动补录")
    assert adjustment.status == Adjustment.Status.PENDING
    account.refresh_from_db()
    assert account.balance == 0
    from shangquan.core.tests.factories import member_factory

    second_committee = member_factory(north.district, Role.COMMITTEE, username="north-c2")
    with pytest.raises(PermissionDenied) as exc:
        ledger.adjustment_decide(actor=committee, adjustment=adjustment, approve=True)
    assert exc.value.code in ("second_person_required", "permission_denied")
    ledger.adjustment_decide(actor=street, adjustment=adjustment, approve=True)
    account.refresh_from_db()
    assert account.balance == 500
    assert second_committee.pk != committee.pk
    with pytest.raises(Conflict):
        ledger.adjustment_decide(actor=city_admin, adjustment=adjustment, approve=False)


def test_the_requester_cannot_approve_their_own_adjustment(north):
    from shangquan.core.tests.factories import member_factory

    member_factory(north.district, Role.COMMITTEE, username="north-s-c")
    account = ledger.account_for(district=north.district, user=north.people[Role.RESIDENT])
    # the street may request (as committee) and approve; not both on one adjustment
    street_committee = member_factory(north.district, Role.STREET, username="north-sc2")
    from shangquan.core import services as core_services

    core_services.membership_grant(actor=SYSTEM, district=north.district, user=street_committee,
                                   role=Role.COMMITTEE)
    adjustment = ledger.adjustment_request(actor=street_committee, account=account,
                                           amount=1000, reason="大额")
    with pytest.raises(PermissionDenied) as exc:
        ledger.adjustment_decide(actor=street_committee, adjustment=adjustment, approve=True)
    assert exc.value.code == "second_person_required"


def test_a_reversal_negates_the_posting_once(north):
    resident = north.people[Role.RESIDENT]
    award = earn(north.district, resident, 80)
    reversal = ledger.posting_reverse(actor=north.people[Role.COMMITTEE], posting=award.posting,
                                      reason="录入错误")
    assert sorted(leg.amount for leg in reversal.legs.all()) == [-80, 80]
    assert selectors.account_mine(user=resident, district=north.district).balance == 0
    with pytest.raises(Conflict) as exc:
        ledger.posting_reverse(actor=north.people[Role.COMMITTEE], posting=award.posting,
                               reason="再来")
    assert exc.value.code == "already_reversed"
    assert ledger.ledger_audit()[north.district.code] is True


def test_a_substantiated_report_earns_and_an_overturned_one_is_reversed(north):
    resident = north.people[Role.RESIDENT]
    order = order_factory(north)
    advance(north, order, "resolved")
    assert ledger.report_awards_sync() == {"paid": 1, "reversed": 0}
    assert ledger.report_awards_sync() == {"paid": 0, "reversed": 0}  # idempotent
    account = selectors.account_mine(user=resident, district=north.district)
    assert account.balance == 5
    # the resident is not satisfied; on review the report is found out of scope
    order = wo_services.work_order_rate(actor=resident, district=north.district, order=order,
                                        rating="unsatisfied")
    wo_services.work_order_reject(actor=north.people[Role.COMMITTEE], district=north.district,
                                  order=order, reason="经核实不属实")
    assert ledger.report_awards_sync() == {"paid": 0, "reversed": 1}
    account.refresh_from_db()
    assert account.balance == 0
    award = Award.objects.get(source_id=str(order.pk))
    assert award.reversed_at is not None and award.reversal is not None


def test_expiry_moves_lots_to_the_expiry_account_once_and_reminds(north):
    resident = north.people[Role.RESIDENT]
    earn(north.district, resident, 70)
    account = selectors.account_mine(user=resident, district=north.district)
    today = timezone.localdate()
    Lot.objects.filter(account=account).update(expires_on=today + dt.timedelta(days=20))
    assert ledger.lots_remind(today=today) == 1
    assert ledger.lots_remind(today=today) == 0
    later = today + dt.timedelta(days=20)
    assert ledger.lots_expire(today=later) == 1
    assert ledger.lots_expire(today=later) == 0
    account.refresh_from_db()
    assert account.balance == 0
    expiry = ledger._system_account(north.district, AccountKind.EXPIRY)
    assert expiry.balance == 70
    assert selectors.ledger_check(district=north.district).ok


def test_the_audit_finds_a_tampered_balance(north):
    earn(north.district, north.people[Role.RESIDENT], 10)
    account = selectors.account_mine(user=north.people[Role.RESIDENT], district=north.district)
    Account.objects.filter(pk=account.pk).update(balance=11)
    result = selectors.ledger_check(district=north.district)
    assert {p["problem"] for p in result.problems} == {"balance_differs_from_legs",
                                                       "balance_differs_from_lots"}
    assert ledger.ledger_audit()[north.district.code] is False
    assert AuditLog.objects.filter(action="points.ledger.audit",
                                   district=north.district).exists()
