"""Conventions (公约) and their votes.

One vote per voter, on every channel: the voter's key (``lic:<licence>`` for a shop,
``tel:<phone>`` for a resident) is inserted into ``VoterRoll``, whose unique constraint
refuses a second row whatever the timing; the convention row is locked (``FOR UPDATE``)
while a vote is taken, so no vote slips in after the close and the close sees every vote.
The choice goes to ``Ballot``, which does not name the voter. Tallies are computed only
when the vote closes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import District
from shangquan.core.roles import Role
from shangquan.merchants.models import Merchant
from shangquan.workorders.models import Category

from .. import rules, selectors
from ..models import (
    Ballot,
    Channel,
    Choice,
    ClauseTag,
    College,
    Comment,
    Convention,
    ConventionVersion,
    PaperEntry,
    Recount,
    Signature,
    VoterRoll,
)
from ..rules import owned_merchant, require_person, staff_of
from ..states import CONVENTION
from ._common import _notify as notify


def _link(convention: Convention) -> str:
    return reverse("deliberation:convention_public", kwargs={"code": convention.district.code,
                                                             "pk": convention.pk})


def _clauses(text: str, clauses: list[str] | None) -> list[str]:
    if clauses:
        return [c.strip() for c in clauses if c and c.strip()]
    return [line.strip() for line in text.splitlines() if line.strip()]


@audited("deliberation.convention.create")
@transaction.atomic
def convention_create(*, actor: Any, district: District, title: str, text: str,
                      clauses: list[str] | None = None, electorate: str = "merchants",
                      residents_members_only: bool = True, quorum_pct: int = 50,
                      threshold: tuple[int, int] = (2, 3), comment_days: int = 7,
                      previous: Convention | None = None) -> Convention:
    policies.require(actor, "deliberation.convention_manage", district)
    if not (title or "").strip() or not (text or "").strip():
        raise ValidationFailed(_("请填写公约名称和正文"), code="title_required")
    if electorate not in Convention.Electorate.values:
        raise ValidationFailed(code="wrong_kind", details={"electorate": electorate})
    num, den = threshold
    if not (0 < quorum_pct <= 100 and 0 < num <= den) or comment_days < 7:
        raise ValidationFailed(_("参与率、通过比例或征求意见期（至少 7 天）不正确"),
                               code="bad_answer")
    convention = Convention.objects.create(
        district=district, title=title.strip()[:120], electorate=electorate,
        residents_members_only=residents_members_only, quorum_pct=quorum_pct,
        threshold_num=num, threshold_den=den, comment_days=comment_days, previous=previous)
    ConventionVersion.objects.create(district=district, convention=convention, number=1,
                                     text=text.strip(), clauses=_clauses(text, clauses))
    audit_record(actor=actor, district=district, obj=convention,
                 action="deliberation.convention.create", after=snapshot(convention))
    return convention


def _locked(convention: Convention) -> Convention:
    return Convention.objects.select_for_update(of=("self",)).get(pk=convention.pk)


def _move(actor: Any, convention: Convention, transition: str, action: str,
          policy: str, **fields: Any) -> Convention:
    locked = _locked(convention)
    policies.require(actor, policy, locked)
    before = CONVENTION.apply(locked, transition)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    audit_record(actor=actor, district=locked.district, obj=locked, action=action,
                 before={"status": before},
                 after=snapshot(locked, ["status", *fields]))
    return locked


@audited("deliberation.convention.open_comment")
@transaction.atomic
def convention_open_comment(*, actor: Any, convention: Convention) -> Convention:
    locked = _move(actor, convention, "open_comment", "deliberation.convention.open_comment",
                   "deliberation.convention_open_comment", comment_opened_at=timezone.now())
    notify(district=locked.district, users=staff_of(locked.district, Role.MERCHANT, Role.RESIDENT),
           title=_("公约征求意见：%(t)s") % {"t": locked.title[:60]}, link=_link(locked))
    return locked


@audited("deliberation.comment.add")
@transaction.atomic
def comment_add(*, actor: Any, convention: Convention, body: str,
                clause: int | None = None) -> Comment:
    require_person(actor)
    policies.require(actor, "deliberation.participate", convention.district)
    if convention.status != Convention.Status.COMMENT:
        raise Conflict(_("公约不在征求意见期"), code="outside_window")
    version = selectors.current_version(convention)
    if clause is not None and not 1 <= clause <= len(version.clauses):
        raise ValidationFailed(_("没有这一条"), code="bad_clause")
    if not (body or "").strip():
        raise ValidationFailed(_("请填写意见"), code="title_required")
    comment = Comment.objects.create(district=convention.district, convention=convention,
                                     version=version, user=actor, clause=clause,
                                     body=body.strip()[:2000])
    audit_record(actor=actor, district=convention.district, obj=comment,
                 action="deliberation.comment.add", after={"clause": clause})
    return comment


@audited("deliberation.convention.open_voting")
@transaction.atomic
def convention_open_voting(*, actor: Any, convention: Convention,
                           closes_at: dt.datetime) -> Convention:
    """After at least ``comment_days`` of comment; the electorate is counted now."""
    now = timezone.now()
    if closes_at <= now:
        raise ValidationFailed(_("表决截止时间须晚于现在"), code="closes_in_past")
    opened = convention.comment_opened_at
    if opened is None or opened + dt.timedelta(days=convention.comment_days) > now:
        raise Conflict(_("征求意见期不少于 %(d)d 天") % {"d": convention.comment_days},
                       code="comment_too_short",
                       details={"until": (opened + dt.timedelta(days=convention.comment_days)
                                          ).isoformat() if opened else None})
    sizes = rules.electorate_size(convention)
    locked = _move(actor, convention, "open_voting", "deliberation.convention.open_voting",
                   "deliberation.convention_open_voting", voting_opened_at=now,
                   voting_closes_at=closes_at,
                   electorate_merchants=sizes.get(College.MERCHANT, 0),
                   electorate_residents=sizes.get(College.RESIDENT, 0))
    notify(district=locked.district, users=staff_of(locked.district, Role.MERCHANT, Role.RESIDENT),
           title=_("公约开始表决：%(t)s") % {"t": locked.title[:60]}, link=_link(locked))
    return locked


def _cast(*, actor: Any, convention: Convention, college: str, key: str, choice: str,
          channel: str, user: Any = None, merchant: Merchant | None = None,
          status: str = VoterRoll.Status.CAST, entered_by: Any = None) -> VoterRoll:
    """Insert the roll row (the one-vote rule) and, for a counted vote, its ballot."""
    if choice not in Choice.values:
        raise ValidationFailed(_("请选择赞成、反对或弃权"), code="unknown_choice")
    # the window as it is now, under the row lock (two columns: the vote needs no more)
    state, closes_at = Convention.objects.select_for_update(of=("self",)).filter(
        pk=convention.pk).values_list("status", "voting_closes_at").get()
    locked = convention  # its district is already read by the caller: no second query
    now = timezone.now()
    if state != Convention.Status.VOTING or (closes_at is not None and now >= closes_at):
        raise Conflict(_("不在表决时间内"), code="outside_window")
    try:
        with transaction.atomic():
            roll = VoterRoll.objects.create(district=locked.district, convention=locked,
                                            college=college, voter_key=key, user=user,
                                            merchant=merchant, channel=channel, status=status,
                                            entered_by=entered_by, created_at=now)
    except IntegrityError:
        first = VoterRoll.objects.filter(convention=locked, voter_key=key).first()
        raise Conflict(_("已经投过票（%(c)s），以第一次为准") % {
            "c": first.get_channel_display() if first else ""}, code="already_voted",
            details={"channel": first.channel if first else None}) from None
    if status == VoterRoll.Status.CAST:
        Ballot.objects.create(district=locked.district, convention=locked, college=college,
                              choice=choice, channel=channel)
    # the audit row says who voted and how (which channel), never what
    audit_record(actor=actor, district=locked.district, obj=roll,
                 action="deliberation.vote.cast",
                 after={"college": college, "channel": channel, "status": status})
    return roll


@audited("deliberation.vote.cast")
def vote_cast(*, actor: Any, convention: Convention, choice: str, college: str | None = None,
              merchant: Merchant | None = None) -> VoterRoll:
    """Online vote by the voter themself. Who the voter is (phone, shop, electorate) is read
    before the transaction: only the window check and the three inserts hold the lock."""
    policies.require(actor, "deliberation.participate", convention.district)
    if choice not in Choice.values:
        raise ValidationFailed(_("请选择赞成、反对或弃权"), code="unknown_choice")
    college, key, shop = rules.voter_for(actor=actor, convention=convention, college=college,
                                         merchant=merchant)
    with transaction.atomic():
        return _cast(actor=actor, convention=convention, college=college, key=key,
                     choice=choice, channel=Channel.WEB, user=actor, merchant=shop)


_officer_voter = rules.officer_voter


@audited("deliberation.vote.cast")
def vote_booth(*, actor: Any, convention: Convention, choice: str, phone: str = "",
               licence_no: str = "") -> VoterRoll:
    """At a polling booth: the officer checks the person's identity, the person votes."""
    policies.require(actor, "deliberation.ballot_officer", convention)
    if choice not in Choice.values:
        raise ValidationFailed(_("请选择赞成、反对或弃权"), code="unknown_choice")
    college, key, shop = _officer_voter(convention, phone=phone, licence_no=licence_no)
    with transaction.atomic():
        return _cast(actor=actor, convention=convention, college=college, key=key,
                     choice=choice, channel=Channel.BOOTH, merchant=shop,
                     entered_by=user_of(actor))


@audited("deliberation.ballot.enter", "deliberation.vote.cast")
@transaction.atomic
def paper_enter(*, actor: Any, convention: Convention, ballot_no: str, choice: str,
                phone: str = "", licence_no: str = "") -> PaperEntry:
    """A paper ballot typed in by an officer: the voter is taken off the roll at once (no
    online vote after), the ballot counts once a second officer confirms it."""
    policies.require(actor, "deliberation.ballot_officer", convention)
    ballot_no = (ballot_no or "").strip()[:30]
    if not ballot_no:
        raise ValidationFailed(_("请填写选票编号"), code="voter_required")
    college, key, shop = _officer_voter(convention, phone=phone, licence_no=licence_no)
    if PaperEntry.objects.filter(convention=convention, ballot_no=ballot_no).exists():
        raise Conflict(_("选票编号已录入"), code="ballot_no_taken")
    roll = _cast(actor=actor, convention=convention, college=college, key=key, choice=choice,
                 channel=Channel.PAPER, merchant=shop, status=VoterRoll.Status.PENDING,
                 entered_by=user_of(actor))
    try:
        with transaction.atomic():
            entry = PaperEntry.objects.create(district=convention.district, convention=convention,
                                              roll=roll, voter_key=key, ballot_no=ballot_no,
                                              choice=choice, entered_by=actor)
    except IntegrityError:
        raise Conflict(_("选票编号已录入"), code="ballot_no_taken") from None
    audit_record(actor=actor, district=convention.district, obj=entry,
                 action="deliberation.ballot.enter", after={"ballot_no": ballot_no})
    return entry


def _entry_locked(entry: PaperEntry) -> PaperEntry:
    return PaperEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)


@audited("deliberation.ballot.confirm")
@transaction.atomic
def paper_confirm(*, actor: Any, entry: PaperEntry) -> PaperEntry:
    """The second officer checks the paper against the entry; the ballot is counted."""
    policies.require(actor, "deliberation.ballot_officer", entry)
    convention = _locked(entry.convention)
    locked = _entry_locked(entry)
    if locked.status != PaperEntry.Status.PENDING:
        raise Conflict(_("这张选票已复核"), code="already_confirmed")
    if locked.entered_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("须由另一名工作人员复核"), code="same_officer")
    if convention.status != Convention.Status.VOTING:
        raise Conflict(_("不在表决时间内"), code="outside_window")
    roll = VoterRoll.objects.select_for_update(of=("self",)).get(pk=locked.roll_id)
    Ballot.objects.create(district=convention.district, convention=convention,
                          college=roll.college, choice=locked.choice, channel=Channel.PAPER)
    roll.status = VoterRoll.Status.CAST
    roll.save(update_fields=["status"])
    locked.status, locked.confirmed_by, locked.choice = (PaperEntry.Status.CONFIRMED, actor, "")
    locked.save(update_fields=["status", "confirmed_by", "choice"])
    audit_record(actor=actor, district=convention.district, obj=locked,
                 action="deliberation.ballot.confirm", after={"ballot_no": locked.ballot_no})
    return locked


@audited("deliberation.ballot.reject")
@transaction.atomic
def paper_reject(*, actor: Any, entry: PaperEntry, reason: str) -> PaperEntry:
    """Typed wrongly: the entry is void and the voter is back on the roll to be re-entered."""
    policies.require(actor, "deliberation.ballot_officer", entry)
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明退回理由"), code="reason_required")
    _locked(entry.convention)
    locked = _entry_locked(entry)
    if locked.status != PaperEntry.Status.PENDING:
        raise Conflict(_("这张选票已复核"), code="already_confirmed")
    if locked.entered_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("须由另一名工作人员复核"), code="same_officer")
    roll_id = locked.roll_id
    locked.status, locked.confirmed_by, locked.choice, locked.roll = (
        PaperEntry.Status.REJECTED, actor, "", None)
    locked.ballot_no = f"{locked.ballot_no}~{locked.pk}"[:30]
    locked.save(update_fields=["status", "confirmed_by", "choice", "roll", "ballot_no"])
    VoterRoll.objects.filter(pk=roll_id, status=VoterRoll.Status.PENDING).delete()
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.ballot.reject", after={"reason": reason.strip()})
    return locked


# --- closing and counting ----------------------------------------------------------------
@audited("deliberation.convention.close")
@transaction.atomic
def convention_close(*, actor: Any, convention: Convention) -> Convention:
    """Close the vote, count, adopt or reject. Pending paper ballots must be confirmed first."""
    locked = _locked(convention)
    policies.require(actor, "deliberation.convention_close", locked)
    if locked.paper.filter(status=PaperEntry.Status.PENDING).exists():
        raise Conflict(_("还有纸质票未复核"), code="paper_pending")
    result = selectors.tally_count(locked)
    transition = "adopt" if result["adopted"] else "reject"
    before = CONVENTION.apply(locked, transition)
    locked.result, locked.closed_at = result, timezone.now()
    locked.save(update_fields=["status", "result", "closed_at"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.convention.close", before={"status": before},
                 after={"status": locked.status, "result": result})
    notify(district=locked.district, users=staff_of(locked.district, Role.MERCHANT, Role.RESIDENT),
           title=_("公约表决结果：%(t)s %(s)s") % {"t": locked.title[:50],
                                              "s": locked.get_status_display()},
           link=_link(locked))
    return locked


@audited("deliberation.convention.close")
def conventions_close_due(*, now: dt.datetime | None = None) -> int:
    """The periodic job: close every vote whose time is up (acting as the platform)."""
    now = now or timezone.now()
    closed = 0
    for convention in Convention.objects.filter(status=Convention.Status.VOTING,
                                                voting_closes_at__lte=now):
        try:
            convention_close(actor=SYSTEM, convention=convention)
        except Conflict:
            continue  # paper ballots still waiting for their second officer
        closed += 1
    return closed


@audited("deliberation.convention.recount")
@transaction.atomic
def convention_recount(*, actor: Any, convention: Convention, reason: str) -> Recount:
    """Count again from the ballots; the log keeps both results."""
    policies.require(actor, "deliberation.recount", convention)
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明重新计票的理由"), code="reason_required")
    locked = _locked(convention)
    if locked.result is None:
        raise Conflict(_("表决尚未结束"), code="tally_hidden")
    after = selectors.tally_count(locked)
    recount = Recount.objects.create(district=locked.district, convention=locked,
                                     by=user_of(actor), reason=reason.strip()[:200],
                                     before=locked.result, after=after)
    locked.result = after
    locked.save(update_fields=["result"])
    audit_record(actor=actor, district=locked.district, obj=recount,
                 action="deliberation.convention.recount", before={"result": recount.before},
                 after={"result": after, "reason": recount.reason})
    return recount


@audited("deliberation.convention.enact")
@transaction.atomic
def convention_enact(*, actor: Any, convention: Convention) -> Convention:
    locked = _move(actor, convention, "enact", "deliberation.convention.enact",
                   "deliberation.convention_enact", in_force_at=timezone.now())
    notify(district=locked.district, users=staff_of(locked.district, Role.MERCHANT),
           title=_("公约施行，请签署：%(t)s") % {"t": locked.title[:60]}, link=_link(locked))
    return locked


@audited("deliberation.convention.sign")
@transaction.atomic
def convention_sign(*, actor: Any, convention: Convention,
                    merchant: Merchant | None = None) -> Signature:
    """The shop's owner signs the adopted text online."""
    shop = owned_merchant(actor, convention.district, merchant)
    if convention.status != Convention.Status.IN_FORCE:
        raise Conflict(_("公约尚未施行"), code="not_adopted_version")
    try:
        with transaction.atomic():
            signature = Signature.objects.create(district=convention.district,
                                                 convention=convention, merchant=shop,
                                                 version=selectors.current_version(convention), user=actor)
    except IntegrityError:
        raise Conflict(_("本店已签署"), code="already_signed") from None
    audit_record(actor=actor, district=convention.district, obj=signature,
                 action="deliberation.convention.sign", after={"merchant": shop.pk})
    return signature


@audited("deliberation.convention.revise", "deliberation.convention.create")
@transaction.atomic
def convention_revise(*, actor: Any, convention: Convention, text: str,
                      clauses: list[str] | None = None) -> Convention:
    """The convention in force is marked revised; the new text starts as a draft that
    goes through comment and vote again (the old text and its votes are kept)."""
    old = _move(actor, convention, "revise", "deliberation.convention.revise",
                "deliberation.convention_revise")
    return convention_create(actor=actor, district=old.district, title=old.title, text=text,
                             clauses=clauses, electorate=old.electorate,
                             residents_members_only=old.residents_members_only,
                             quorum_pct=old.quorum_pct,
                             threshold=(old.threshold_num, old.threshold_den),
                             comment_days=old.comment_days, previous=old)


@audited("deliberation.convention.repeal")
@transaction.atomic
def convention_repeal(*, actor: Any, convention: Convention) -> Convention:
    return _move(actor, convention, "repeal", "deliberation.convention.repeal",
                 "deliberation.convention_repeal")


@audited("deliberation.convention.tag")
@transaction.atomic
def clause_tag(*, actor: Any, convention: Convention, clause: int, category: Category) -> ClauseTag:
    """Complaints of ``category`` break ``clause``: the before/after chart counts them."""
    policies.require(actor, "deliberation.convention_manage", convention)
    if category.district_id != convention.district_id:
        raise NotFound()
    if not 1 <= clause <= len(selectors.current_version(convention).clauses):
        raise ValidationFailed(_("没有这一条"), code="bad_clause")
    tag, _created = ClauseTag.objects.update_or_create(
        district=convention.district, convention=convention, category=category,
        defaults={"clause": clause})
    audit_record(actor=actor, district=convention.district, obj=tag,
                 action="deliberation.convention.tag",
                 after={"clause": clause, "category": category.code})
    return tag
