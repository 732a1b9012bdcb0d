"""Conventions: the table, the electorate, one vote per voter on every channel, the
secret tally, paper ballots with two officers, recount, signatures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, InvalidTransition, PermissionDenied
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.workorders.tests.factories import order_factory

from .. import selectors
from ..models import Ballot, Convention, VoterRoll
from ..services import conventions
from .factories import convention_factory, resident_voter, shop_owner

pytestmark = pytest.mark.django_db


def test_the_table_is_draft_comment_voting_then_adopted_or_rejected(north):
    c = convention_factory(north.district)
    with pytest.raises(InvalidTransition):
        conventions.convention_close(actor=SYSTEM, convention=c)
    c = conventions.convention_open_comment(actor=SYSTEM, convention=c)
    # the comment period lasts at least seven days
    with pytest.raises(Conflict) as short:
        conventions.convention_open_voting(actor=SYSTEM, convention=c,
                                           closes_at=timezone.now() + dt.timedelta(days=1))
    assert short.value.code == "comment_too_short"
    assert Convention.objects.get(pk=c.pk).status == "comment"


def test_the_database_refuses_a_comment_period_under_seven_days(north):
    from django.db import IntegrityError, transaction

    c = convention_factory(north.district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=c.pk).update(comment_days=3)


def test_one_vote_per_licence_and_the_first_stands(north):
    owner, shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    conventions.vote_cast(actor=owner, convention=c, choice="yes")
    with pytest.raises(Conflict) as again:
        conventions.vote_cast(actor=owner, convention=c, choice="no")
    assert again.value.code == "already_voted"
    # the same shop at the booth and on paper: refused too
    officer = north.people[Role.COMMITTEE]
    with pytest.raises(Conflict):
        conventions.vote_booth(actor=officer, convention=c, licence_no=shop.licence_no,
                               choice="no")
    with pytest.raises(Conflict):
        conventions.paper_enter(actor=officer, convention=c, ballot_no="P-1",
                                licence_no=shop.licence_no, choice="no")
    assert VoterRoll.objects.filter(convention=c).count() == 1
    assert list(Ballot.objects.filter(convention=c).values_list("choice", flat=True)) == ["yes"]


def test_a_paper_voter_cannot_vote_online_and_paper_needs_a_second_officer(north):
    owner, shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    first = north.people[Role.COMMITTEE]
    second = member_factory(north.district, Role.COMMUNITY)
    entry = conventions.paper_enter(actor=first, convention=c, ballot_no="P-7",
                                    licence_no=shop.licence_no, choice="no")
    with pytest.raises(Conflict) as online:
        conventions.vote_cast(actor=owner, convention=c, choice="yes")
    assert online.value.code == "already_voted"
    assert selectors.turnout(convention=c)["pending_paper"] == 1
    # not counted before the second officer; the entering officer cannot confirm it
    assert Ballot.objects.filter(convention=c).count() == 0
    with pytest.raises(PermissionDenied) as same:
        conventions.paper_confirm(actor=first, entry=entry)
    assert same.value.code == "same_officer"
    # the close waits for pending paper ballots
    with pytest.raises(Conflict) as pending:
        conventions.convention_close(actor=first, convention=c)
    assert pending.value.code == "paper_pending"
    conventions.paper_confirm(actor=second, entry=entry)
    entry.refresh_from_db()
    assert entry.choice == "" and entry.status == "confirmed"  # the choice lives in Ballot only
    assert Ballot.objects.get(convention=c).choice == "no"


def test_a_rejected_paper_entry_frees_the_voter(north):
    owner, shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    entry = conventions.paper_enter(actor=north.people[Role.COMMITTEE], convention=c,
                                    ballot_no="P-9", licence_no=shop.licence_no, choice="no")
    conventions.paper_reject(actor=member_factory(north.district, Role.COMMUNITY), entry=entry,
                             reason="执照号录错")
    assert not VoterRoll.objects.filter(convention=c).exists()
    conventions.vote_cast(actor=owner, convention=c, choice="yes")
    assert VoterRoll.objects.get(convention=c).channel == "web"


def test_outside_the_electorate_or_the_window_is_refused(north, south):
    c = convention_factory(north.district, status="voting")  # merchants only
    resident = resident_voter(north.district)
    with pytest.raises(PermissionDenied) as outside:
        conventions.vote_cast(actor=resident, convention=c, choice="yes")
    assert outside.value.code == "not_in_electorate"
    foreign_owner, _shop = shop_owner(south.district)
    with pytest.raises(PermissionDenied):
        conventions.vote_cast(actor=foreign_owner, convention=c, choice="yes")
    owner, _ = shop_owner(north.district)
    Convention.objects.filter(pk=c.pk).update(voting_closes_at=timezone.now())
    c.refresh_from_db()
    with pytest.raises(Conflict) as late:
        conventions.vote_cast(actor=owner, convention=c, choice="yes")
    assert late.value.code == "outside_window"
    assert not VoterRoll.objects.filter(convention=c).exists()


def test_residents_vote_once_per_verified_phone(north):
    c = convention_factory(north.district, status="draft", electorate="residents")
    voter = resident_voter(north.district)
    no_phone = member_factory(north.district, Role.RESIDENT)
    c = convention_factory(north.district, status="voting", electorate="residents")
    conventions.vote_cast(actor=voter, convention=c, choice="yes")
    with pytest.raises(Conflict):
        conventions.vote_booth(actor=north.people[Role.COMMITTEE], convention=c,
                               phone=voter.profile.phone, choice="no")
    with pytest.raises(PermissionDenied) as phoneless:
        conventions.vote_cast(actor=no_phone, convention=c, choice="yes")
    assert phoneless.value.code == "phone_required"


def test_tally_hidden_until_close_then_quorum_and_two_thirds(north):
    owners = [shop_owner(north.district) for _ in range(6)]
    c = convention_factory(north.district, status="voting")
    assert c.electorate_merchants == 6
    for i, (owner, _shop) in enumerate(owners[:5]):
        conventions.vote_cast(actor=owner, convention=c, choice="yes" if i < 4 else "no")
    with pytest.raises(Conflict) as hidden:
        selectors.tally(convention=c)
    assert hidden.value.code == "tally_hidden"
    assert selectors.turnout(convention=c)["colleges"]["merchant"]["voted"] == 5
    # the audit rows and the roll say who voted, never how
    for row in AuditLog.objects.filter(action="deliberation.vote.cast"):
        assert "yes" not in str(row.after) and "no" not in str(row.after).replace("not", "")
    c = conventions.convention_close(actor=north.people[Role.COMMITTEE], convention=c)
    assert c.status == "adopted"
    result = selectors.tally(convention=c)["colleges"]["merchant"]
    assert (result["yes"], result["no"], result["cast"], result["quorum_met"]) == (4, 1, 5, True)


def test_below_quorum_is_rejected_and_a_recount_is_logged(north):
    owners = [shop_owner(north.district) for _ in range(5)]
    c = convention_factory(north.district, status="voting")
    conventions.vote_cast(actor=owners[0][0], convention=c, choice="yes")
    conventions.vote_cast(actor=owners[1][0], convention=c, choice="yes")
    c = conventions.convention_close(actor=SYSTEM, convention=c)
    assert c.status == "rejected"  # 2 of 5 is under the 50 % quorum, though unanimous
    recount = conventions.convention_recount(actor=north.people[Role.COMMITTEE], convention=c,
                                             reason="居民代表申请复核")
    assert recount.before == recount.after and c.recounts.count() == 1


def test_both_colleges_each_need_their_own_quorum(north):
    owners = [shop_owner(north.district) for _ in range(2)]
    residents = [resident_voter(north.district) for _ in range(4)]
    c = convention_factory(north.district, status="voting", electorate="both")
    for owner, _shop in owners:
        conventions.vote_cast(actor=owner, convention=c, choice="yes", college="merchant")
    conventions.vote_cast(actor=residents[0], convention=c, choice="yes", college="resident")
    c = conventions.convention_close(actor=SYSTEM, convention=c)
    assert c.result["colleges"]["merchant"]["quorum_met"] is True
    assert c.result["colleges"]["resident"]["quorum_met"] is False
    assert c.status == "rejected"


def test_in_force_signatures_and_the_complaints_chart(north):
    owner, shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    conventions.vote_cast(actor=owner, convention=c, choice="yes")
    c = conventions.convention_close(actor=SYSTEM, convention=c)
    with pytest.raises(Conflict):
        conventions.convention_sign(actor=owner, convention=c)
    c = conventions.convention_enact(actor=SYSTEM, convention=c)
    conventions.convention_sign(actor=owner, convention=c)
    with pytest.raises(Conflict) as twice:
        conventions.convention_sign(actor=owner, convention=c)
    assert twice.value.code == "already_signed"
    order = order_factory(north)
    conventions.clause_tag(actor=SYSTEM, convention=c, clause=1, category=order.category)
    chart = selectors.complaints_before_after(convention=c)
    assert chart["before"] + chart["after"] == 1
    revised = conventions.convention_revise(actor=SYSTEM, convention=c, text="新条款一\n新条款二")
    c.refresh_from_db()
    assert c.status == "revised" and revised.previous == c and revised.status == "draft"


def test_conventions_close_due_closes_when_the_time_is_up(north):
    owner, _ = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    conventions.vote_cast(actor=owner, convention=c, choice="yes")
    assert conventions.conventions_close_due() == 0
    assert conventions.conventions_close_due(now=timezone.now() + dt.timedelta(days=4)) == 1
    assert Convention.objects.get(pk=c.pk).status == "adopted"
