"""Deliberation reads, always scoped by district ("not yours" is 404)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import Conflict, NotFound
from shangquan.core.models import Department, District, Membership
from shangquan.core.pii import phone_normalize
from shangquan.core.selectors import access_scoped
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids
from shangquan.workorders.models import WorkOrder

from .models import (
    ActionItem,
    ActionTask,
    Announcement,
    Ballot,
    College,
    Convention,
    ConventionVersion,
    Council,
    Meeting,
    PaperEntry,
    Question,
    Suggestion,
    Survey,
    Topic,
    VoterRoll,
)

SUPPRESS_BELOW = 5  # cross-tab cells with fewer responses are not shown


def access_suggestion(*, district: District, pk: Any) -> Suggestion:
    return access_scoped(Suggestion.objects.select_related("origin", "merged_into", "topic",
                                                           "work_order"), district=district, pk=pk)


def suggestion_by_number(*, district: District, number: str) -> Suggestion:
    return access_scoped(Suggestion.objects.select_related("origin", "merged_into", "topic",
                                                           "work_order"),
                         district=district, number=number)


def suggestion_list(*, district: District, status: str = "", q: str = "", tag: str = "",
                    channel: str = "", overdue: bool = False,
                    origin: int | None = None) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.filter(district=district).select_related("origin")
    if status:
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(topic_tag=tag)
    if channel:
        qs = qs.filter(channel=channel)
    if origin:
        qs = qs.filter(origin_id=origin)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number=q.upper()))
    if overdue:
        qs = qs.filter(status__in=Suggestion.OPEN, answer_due__lt=timezone.localdate())
    return qs.order_by("-created_at", "-id")


def suggestion_overdue(*, district: District) -> QuerySet[Suggestion]:
    """The committee's overdue list: open suggestions past their public answer deadline."""
    return suggestion_list(district=district, overdue=True).order_by("answer_due", "id")


def suggestion_public_list(*, district: District) -> QuerySet[Suggestion]:
    return suggestion_list(district=district).exclude(status__in=Suggestion.OPEN)


def my_suggestions(*, user: Any, district: District) -> QuerySet[Suggestion]:
    if not getattr(user, "is_authenticated", False):
        return Suggestion.objects.none()
    return suggestion_list(district=district).filter(author=user)


# --- surveys -------------------------------------------------------------------------
def access_survey(*, district: District, pk: Any) -> Survey:
    return access_scoped(Survey, district=district, pk=pk)


def survey_list(*, district: District, open_only: bool = False) -> QuerySet[Survey]:
    qs = Survey.objects.filter(district=district).annotate(n_responses=Count("responses"))
    return qs.filter(status=Survey.Status.OPEN) if open_only else qs


def survey_results(*, survey: Survey) -> list[dict]:
    """Counts per option (choice, scale), mean rank (ranking), count only (text)."""
    questions = list(survey.questions.all())
    counters: dict[int, Counter] = {q.position: Counter() for q in questions}
    ranks: dict[int, Counter] = {q.position: Counter() for q in questions}
    answered: Counter = Counter()
    for answers in survey.responses.values_list("answers", flat=True).iterator():
        for q in questions:
            value = answers.get(str(q.position))
            if value is None:
                continue
            answered[q.position] += 1
            if q.kind == Question.Kind.RANKING:
                for rank, option in enumerate(value, start=1):
                    ranks[q.position][option] += rank
            elif q.kind == Question.Kind.MULTIPLE:
                for option in value:
                    counters[q.position][option] += 1
            elif q.kind != Question.Kind.TEXT:
                counters[q.position][str(value)] += 1
    out = []
    for q in questions:
        n = answered[q.position]
        if q.kind == Question.Kind.RANKING:
            rows = sorted(((o, round(ranks[q.position][o] / n, 2) if n else None)
                           for o in q.options), key=lambda r: (r[1] is None, r[1]))
        elif q.kind == Question.Kind.SCALE:
            rows = [(str(v), counters[q.position][str(v)]) for v in range(1, q.scale_max + 1)]
        elif q.kind == Question.Kind.TEXT:
            rows = []
        else:
            rows = [(o, counters[q.position][o]) for o in q.options]
        out.append({"position": q.position, "text": q.text, "kind": q.kind, "answered": n,
                    "rows": rows})
    return out


def survey_crosstab(*, survey: Survey, row: int, col: int) -> dict:
    """Counts of (row answer × column answer) for two choice/scale questions; cells with
    fewer than five responses show as None (suppressed, so nobody is singled out)."""
    questions = {q.position: q for q in survey.questions.all()}
    qr, qc = questions.get(row), questions.get(col)
    kinds = (Question.Kind.SINGLE, Question.Kind.SCALE)
    if qr is None or qc is None or qr.kind not in kinds or qc.kind not in kinds:
        raise NotFound()

    def values(q: Question) -> list[str]:
        return q.options if q.kind == Question.Kind.SINGLE else [str(v) for v in
                                                                 range(1, q.scale_max + 1)]

    cells: Counter = Counter()
    for answers in survey.responses.values_list("answers", flat=True).iterator():
        a, b = answers.get(str(row)), answers.get(str(col))
        if a is not None and b is not None:
            cells[(str(a), str(b))] += 1
    return {"rows": values(qr), "cols": values(qc), "row_text": qr.text, "col_text": qc.text,
            "suppress_below": SUPPRESS_BELOW,
            "cells": [[(cells[(a, b)] if cells[(a, b)] >= SUPPRESS_BELOW else None)
                       for b in values(qc)] for a in values(qr)]}


# --- councils, meetings, topics, actions ------------------------------------------------
def council_list(*, district: District) -> QuerySet[Council]:
    return Council.objects.filter(district=district).annotate(
        n_seats=Count("seats", distinct=True), n_topics=Count("topics", distinct=True))


def access_council(*, district: District, pk: Any) -> Council:
    return access_scoped(Council, district=district, pk=pk)


def council_quota(*, council: Council) -> dict:
    """Seat shares against the council's quotas (≥ ⅓ residents, ≥ ⅓ merchants …)."""
    counts = Counter(council.seats.values_list("kind", flat=True))
    total = sum(counts.values())
    resident = round(counts["resident"] * 100 / total, 1) if total else 0
    merchant = round(counts["merchant"] * 100 / total, 1) if total else 0
    return {"total": total, "counts": dict(counts), "resident_pct": resident,
            "merchant_pct": merchant,
            "met": bool(total) and resident >= council.min_resident_pct
            and merchant >= council.min_merchant_pct}


def meeting_list(*, district: District, kind: str = "") -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(district=district).select_related("council").annotate(
        n_registered=Count("registrations", filter=Q(registrations__status__in=[
            "registered", "attended"])))
    return qs.filter(kind=kind) if kind else qs


def access_meeting(*, district: District, pk: Any) -> Meeting:
    return access_scoped(Meeting.objects.select_related("council"), district=district, pk=pk)


def meeting_counts(*, meeting: Meeting) -> dict[str, int]:
    rows = dict(meeting.registrations.values_list("status").annotate(n=Count("id")).order_by())
    return {s: rows.get(s, 0) for s in ("registered", "waitlisted", "attended", "cancelled")}


def topic_list(*, district: District, council: Council | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.filter(district=district).select_related("council").annotate(
        n_rounds=Count("rounds", distinct=True))
    return qs.filter(council=council) if council else qs


def access_topic(*, district: District, pk: Any) -> Topic:
    return access_scoped(Topic.objects.select_related("council"), district=district, pk=pk)


def action_list(*, district: District, topic: Topic | None = None,
                demands_only: bool = False) -> QuerySet[ActionItem]:
    qs = ActionItem.objects.filter(district=district).select_related(
        "department", "merchant", "topic", "meeting").annotate(
        n_tasks=Count("tasks", distinct=True),
        n_done=Count("tasks", filter=Q(tasks__rectification__status="verified"), distinct=True))
    if topic is not None:
        qs = qs.filter(topic=topic)
    if demands_only:
        qs = qs.filter(merchant__isnull=False)
    return qs


def access_action(*, district: District, pk: Any) -> ActionItem:
    return access_scoped(action_list(district=district), district=district, pk=pk)


def action_progress(*, item: ActionItem) -> dict:
    """The share done (verified rectifications) and how many the monitors confirmed."""
    tasks = item.tasks.aggregate(
        total=Count("id"), done=Count("id", filter=Q(rectification__status="verified")),
        confirmed=Count("id", filter=Q(confirmations__isnull=False), distinct=True))
    total = tasks["total"]
    return {**tasks, "pct": round(tasks["done"] * 100 / total) if total else
            (100 if item.status == ActionItem.Status.DONE else 0)}


def action_tasks(*, item: ActionItem) -> QuerySet[ActionTask]:
    return item.tasks.select_related("merchant", "rectification").annotate(
        n_confirmed=Count("confirmations")).order_by("merchant__name", "id")


def my_demands(*, user: Any, district: District) -> QuerySet[ActionItem]:
    if not getattr(user, "is_authenticated", False):
        return ActionItem.objects.none()
    return action_list(district=district, demands_only=True).filter(
        merchant_id__in=owned_merchant_ids(user, district))


# --- conventions -------------------------------------------------------------------------
def convention_list(*, district: District, public: bool = False) -> QuerySet[Convention]:
    qs = Convention.objects.filter(district=district)
    return qs.exclude(status=Convention.Status.DRAFT) if public else qs


def access_convention(*, district: District, pk: Any, public: bool = False) -> Convention:
    convention = access_scoped(convention_list(district=district, public=public),
                               district=district, pk=pk)
    convention.district = district  # the row is this district's: no second read of it
    return convention


def access_public_convention(*, code: str, pk: Any) -> Convention:
    """A published convention by its district's code, district and all in one query (the
    vote intake path); an unknown or inactive district, a draft, another district's id:
    NotFound, as ``district_get_public`` + ``access_convention``."""
    try:
        return Convention.objects.select_related("district").exclude(
            status=Convention.Status.DRAFT).get(pk=pk, district__code=str(code).upper(),
                                                district__is_active=True)
    except (Convention.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def turnout(*, convention: Convention) -> dict:
    """Live turnout per college (who voted, counted), never the tally."""
    rows = dict(VoterRoll.objects.filter(convention=convention, status=VoterRoll.Status.CAST)
                .values_list("college").annotate(n=Count("id")).order_by())
    pending = PaperEntry.objects.filter(convention=convention,
                                        status=PaperEntry.Status.PENDING).count()
    sizes = {"merchant": convention.electorate_merchants,
             "resident": convention.electorate_residents}
    return {"pending_paper": pending, "colleges": {
        college: {"voted": rows.get(college, 0), "electorate": sizes[college],
                  "pct": round(rows.get(college, 0) * 100 / sizes[college], 1)
                  if sizes[college] else 0}
        for college in convention.colleges}}


def tally(*, convention: Convention) -> dict:
    """The result, once the vote has closed; before that it is hidden from everyone."""
    if convention.result is None:
        raise Conflict(code="tally_hidden")
    return convention.result


def voter_roll(*, user: Any, convention: Convention) -> QuerySet[VoterRoll]:
    policies.require(user, "deliberation.view", convention)
    return convention.roll.select_related("merchant").order_by("created_at", "id")


def has_voted(*, convention: Convention, key: str) -> VoterRoll | None:
    return VoterRoll.objects.filter(convention=convention, voter_key=key).first()


def paper_pending(*, convention: Convention) -> QuerySet[PaperEntry]:
    return convention.paper.filter(status=PaperEntry.Status.PENDING).select_related("entered_by")


def access_paper(*, district: District, pk: Any) -> PaperEntry:
    return access_scoped(PaperEntry.objects.select_related("convention"), district=district, pk=pk)


def complaints_before_after(*, convention: Convention, months: int = 6) -> dict:
    """Complaints in the categories tagged with a clause, per month, before and after
    the convention came into force."""
    categories = list(convention.tags.values_list("category_id", flat=True))
    start_point = convention.in_force_at or convention.closed_at or timezone.now()
    start = start_point - dt.timedelta(days=31 * months)
    end = start_point + dt.timedelta(days=31 * months)
    rows = (WorkOrder.objects.filter(district=convention.district, category_id__in=categories,
                                     created_at__gte=start, created_at__lt=end)
            .annotate(month=TruncMonth("created_at")).values("month")
            .annotate(n=Count("id")).order_by("month")) if categories else []
    series = [{"month": r["month"].strftime("%Y-%m"), "n": r["n"],
               "after": r["month"] >= start_point.replace(day=1, hour=0, minute=0, second=0,
                                                          microsecond=0)} for r in rows]
    before = sum(r["n"] for r in series if not r["after"])
    after = sum(r["n"] for r in series if r["after"])
    peak = max([r["n"] for r in series] or [1])
    for r in series:
        r["width"] = round(r["n"] * 100 / peak)
    return {"series": series, "before": before, "after": after, "categories": len(categories)}


# --- announcements -----------------------------------------------------------------------
def announcement_list(*, district: District) -> QuerySet[Announcement]:
    return Announcement.objects.filter(district=district).select_related("grid").annotate(
        n_receipts=Count("receipts"))


def announcement_public_list(*, district: District, kind: str = "",
                             audience: str = "") -> QuerySet[Announcement]:
    qs = Announcement.objects.filter(district=district, published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    if audience:
        qs = qs.filter(audience__in=[audience, Announcement.Audience.ALL])
    return qs.order_by("-published_at", "-id")


def access_announcement(*, district: District, pk: Any) -> Announcement:
    return access_scoped(announcement_list(district=district), district=district, pk=pk)


def current_version(convention: Convention) -> ConventionVersion:
    """The latest text of a convention."""
    return convention.versions.order_by("-number").first()


def tally_count(convention: Convention) -> dict[str, Any]:
    """The tally per college and the outcome (only ever called at or after the close)."""
    ballots = {(row["college"], row["choice"]): row["n"] for row in
               Ballot.objects.filter(convention=convention).values("college", "choice")
               .annotate(n=Count("id")).order_by()}
    sizes = {College.MERCHANT: convention.electorate_merchants,
             College.RESIDENT: convention.electorate_residents}
    colleges, adopted = {}, True
    for college in convention.colleges:
        yes, no, abstain = (ballots.get((college, c), 0) for c in ("yes", "no", "abstain"))
        cast = yes + no + abstain
        electorate = sizes[college]
        quorum_met = cast * 100 >= convention.quorum_pct * electorate and cast > 0
        # a ⅔ majority of votes cast (abstentions count as cast, so they do not help)
        majority = yes * convention.threshold_den >= convention.threshold_num * cast and cast > 0
        colleges[college] = {"yes": yes, "no": no, "abstain": abstain, "cast": cast,
                             "electorate": electorate, "quorum_met": quorum_met,
                             "majority": majority,
                             "turnout_pct": round(cast * 100 / electorate, 1) if electorate else 0}
        adopted = adopted and quorum_met and majority
    return {"colleges": colleges, "adopted": adopted,
            "quorum_pct": convention.quorum_pct,
            "threshold": f"{convention.threshold_num}/{convention.threshold_den}"}


# --- choices for the console forms ------------------------------------------------------
def survey_access_list(*, district: District) -> QuerySet[Survey]:
    return Survey.objects.filter(district=district).annotate(
        n_questions=Count("questions", distinct=True),
        n_responses=Count("responses", distinct=True)).order_by("-created_at", "-id")


def merchant_choices(*, district: District) -> QuerySet[Merchant]:
    """Open shops an action may fan out to, by name."""
    return Merchant.objects.filter(district=district, status=Merchant.Status.OPEN)\
        .only("pk", "name", "licence_no").order_by("name", "pk")


def department_choices(*, district: District) -> QuerySet[Department]:
    return Department.objects.filter(district=district, is_active=True).order_by("name")


def person_by_phone(*, district: District, phone: str) -> Any:
    """The member of ``district`` who proved ``phone`` (a resident monitor, a seat), or 404."""
    number = phone_normalize(phone or "")
    membership = (Membership.objects.filter(district=district, is_active=True,
                                            user__profile__phone=number)
                  .select_related("user").order_by("pk").first()) if number else None
    if membership is None:
        raise NotFound(_("本商圈没有用这个手机号登记的人"))
    return membership.user
