"""Suggestions (建议): filed online, or typed in by staff from a 恳谈 session."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import NotFound, ValidationFailed
from shangquan.core.models import District
from shangquan.core.roles import Role
from shangquan.merchants.models import Merchant
from shangquan.workorders.models import WorkOrder

from ..models import Meeting, Suggestion, Topic
from ..rules import add_working_days, require_person, staff_of
from ..states import SUGGESTION
from ._common import _notify as notify


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationFailed(_("请填写建议标题和内容"), code="title_required")
    return title[:120], body


def _create(*, district: District, title: str, body: str, channel: str, **fields: Any) -> Suggestion:
    days = district_settings(district=district, app="deliberation")["answer_working_days"]
    now = timezone.now()
    suggestion = Suggestion.objects.create(
        district=district, number=f"tmp-{now.timestamp()}-{fields.get('author_name', '')}"[:32],
        title=title, body=body, channel=channel, created_at=now,
        answer_due=add_working_days(timezone.localdate(now), days), **fields)
    suggestion.number = f"{district.code}-JY-{suggestion.pk:06d}"
    suggestion.save(update_fields=["number"])
    return suggestion


def _link(suggestion: Suggestion) -> str:
    return reverse("deliberation:suggestion_public", kwargs={"code": suggestion.district.code,
                                                             "number": suggestion.number})


@audited("deliberation.suggestion.submit")
@transaction.atomic
def suggestion_submit(*, actor: Any, district: District, title: str, body: str,
                      topic_tag: str = "", merchant: Merchant | None = None) -> Suggestion:
    """A resident or merchant files a suggestion online (signed in: follow it later)."""
    require_person(actor)
    policies.require(actor, "deliberation.participate", district)
    title, body = _clean(title, body)
    if merchant is not None and merchant.district_id != district.pk:
        raise NotFound()
    profile = getattr(actor, "profile", None)
    suggestion = _create(district=district, title=title, body=body,
                         channel=Suggestion.Channel.ONLINE, author=actor, merchant=merchant,
                         author_name=(getattr(profile, "display_name", "") or "")[:60],
                         topic_tag=topic_tag[:20])
    audit_record(actor=actor, district=district, obj=suggestion,
                 action="deliberation.suggestion.submit", after=snapshot(suggestion, [
                     "number", "title", "channel", "status", "answer_due"]))
    notify(district=district, users=staff_of(district, Role.COMMITTEE, Role.COMMUNITY),
           title=_("新建议：%(t)s") % {"t": title[:60]}, link=_link(suggestion))
    return suggestion


@audited("deliberation.suggestion.enter")
@transaction.atomic
def suggestion_enter_offline(*, actor: Any, district: District, origin: Meeting,
                             author_name: str, title: str, body: str, topic_tag: str = "",
                             merchant: Merchant | None = None) -> Suggestion:
    """Staff type in a suggestion heard at a 恳谈 session; the session is its origin."""
    policies.require(actor, "deliberation.suggestion_enter", district)
    if origin.district_id != district.pk:
        raise NotFound()
    title, body = _clean(title, body)
    suggestion = _create(district=district, title=title, body=body,
                         channel=Suggestion.Channel.OFFLINE, origin=origin,
                         author_name=(author_name or "").strip()[:60], merchant=merchant,
                         entered_by=user_of(actor), topic_tag=topic_tag[:20])
    audit_record(actor=actor, district=district, obj=suggestion,
                 action="deliberation.suggestion.enter", after=snapshot(suggestion, [
                     "number", "title", "channel", "origin", "status", "answer_due"]))
    return suggestion


def _locked(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update(of=("self",)).get(pk=suggestion.pk)


def _move(actor: Any, suggestion: Suggestion, transition: str, **fields: Any) -> Suggestion:
    locked = _locked(suggestion)
    policies.require(actor, f"deliberation.suggestion_{transition}", locked)
    before = SUGGESTION.apply(locked, transition)
    for name, value in fields.items():
        setattr(locked, name, value)
    if transition != "review":
        locked.answered_at = timezone.now()
    locked.save()
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action=f"deliberation.suggestion.{transition}", before={"status": before},
                 after=snapshot(locked, ["status", "public_answer", "work_order", "topic",
                                         "project", "merged_into"]))
    notify(district=locked.district, users=[locked.author], immediate=True,
           title=_("您的建议 %(n)s：%(s)s") % {"n": locked.number,
                                           "s": locked.get_status_display()},
           link=_link(locked))
    return locked


@audited("deliberation.suggestion.review")
@transaction.atomic
def suggestion_review(*, actor: Any, suggestion: Suggestion, note: str = "") -> Suggestion:
    return _move(actor, suggestion, "review", public_answer=(note or "").strip())


@audited("deliberation.suggestion.accept")
@transaction.atomic
def suggestion_accept(*, actor: Any, suggestion: Suggestion, answer: str,
                      work_order: WorkOrder | None = None, topic: Topic | None = None,
                      project: str = "") -> Suggestion:
    """Accepted: linked to a work order, a council topic or a project, with an answer."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(_("请填写公开答复"), code="reason_required")
    for linked in (work_order, topic):
        if linked is not None and linked.district_id != suggestion.district_id:
            raise NotFound()
    if work_order is None and topic is None and not (project or "").strip():
        raise ValidationFailed(_("采纳的建议须关联工单、议题或项目"), code="reason_required")
    return _move(actor, suggestion, "accept", public_answer=answer, work_order=work_order,
                 topic=topic, project=(project or "").strip()[:120])


@audited("deliberation.suggestion.merge")
@transaction.atomic
def suggestion_merge(*, actor: Any, suggestion: Suggestion, into: Suggestion,
                     answer: str = "") -> Suggestion:
    if into.district_id != suggestion.district_id:
        raise NotFound()
    if into.pk == suggestion.pk or into.status == Suggestion.Status.MERGED:
        raise ValidationFailed(_("不能合并到自身或已合并的建议"), code="bad_answer")
    text = (answer or "").strip() or _("与建议 %(n)s 合并办理") % {"n": into.number}
    return _move(actor, suggestion, "merge", merged_into=into, public_answer=text)


@audited("deliberation.suggestion.decline")
@transaction.atomic
def suggestion_decline(*, actor: Any, suggestion: Suggestion, reason: str) -> Suggestion:
    """Declined, with a public reason (the database refuses a declined one without)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("不予采纳须公开说明理由"), code="reason_required")
    return _move(actor, suggestion, "decline", public_answer=reason)
