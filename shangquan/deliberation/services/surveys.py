"""Surveys (问卷): one response per verified phone, or per merchant licence."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.merchants.models import Merchant

from ..models import Question, Response, Survey
from ..rules import licence_key, owned_merchant, phone_key, verified_phone

K = Question.Kind


@audited("deliberation.survey.create")
@transaction.atomic
def survey_create(*, actor: Any, district: District, title: str, questions: list[dict],
                  intro: str = "", one_per: str = Survey.OnePer.PHONE) -> Survey:
    policies.require(actor, "deliberation.manage", district)
    if not (title or "").strip():
        raise ValidationFailed(_("请填写问卷标题"), code="title_required")
    if not questions:
        raise ValidationFailed(_("问卷至少要有一个问题"), code="no_questions")
    if one_per not in Survey.OnePer.values:
        raise ValidationFailed(code="wrong_kind", details={"one_per": one_per})
    survey = Survey.objects.create(district=district, title=title.strip()[:120], intro=intro,
                                   one_per=one_per)
    for position, q in enumerate(questions, start=1):
        kind = q.get("kind")
        options = [str(o)[:80] for o in q.get("options") or []]
        if kind not in K.values or (kind in (K.SINGLE, K.MULTIPLE, K.RANKING) and len(options) < 2):
            raise ValidationFailed(_("第 %(n)d 题的题型或选项不正确") % {"n": position},
                                   code="wrong_kind", details={"question": position})
        Question.objects.create(district=district, survey=survey, position=position, kind=kind,
                                text=str(q.get("text", ""))[:200] or "?", options=options,
                                scale_max=int(q.get("scale_max") or 5),
                                required=bool(q.get("required", True)))
    audit_record(actor=actor, district=district, obj=survey, action="deliberation.survey.create",
                 after=snapshot(survey))
    return survey


def _set_status(actor: Any, survey: Survey, status: str, action: str) -> Survey:
    policies.require(actor, "deliberation.manage", survey)
    locked = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    audit_record(actor=actor, district=locked.district, obj=locked, action=action,
                 before={"status": before}, after={"status": status})
    return locked


@audited("deliberation.survey.open")
@transaction.atomic
def survey_open(*, actor: Any, survey: Survey) -> Survey:
    if survey.status != Survey.Status.DRAFT:
        raise Conflict(_("问卷已发布"), code="survey_not_open")
    return _set_status(actor, survey, Survey.Status.OPEN, "deliberation.survey.open")


@audited("deliberation.survey.close")
@transaction.atomic
def survey_close(*, actor: Any, survey: Survey) -> Survey:
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("问卷未在进行中"), code="survey_not_open")
    return _set_status(actor, survey, Survey.Status.CLOSED, "deliberation.survey.close")


def _answer(question: Question, raw: Any) -> Any:
    """The answer in its stored shape, or ValidationFailed."""
    bad = ValidationFailed(_("第 %(n)d 题的回答不正确") % {"n": question.position},
                           code="bad_answer", details={"question": question.position})
    if raw in (None, "", []):
        if question.required:
            raise bad
        return None
    if question.kind == K.SINGLE:
        if str(raw) not in question.options:
            raise bad
        return str(raw)
    if question.kind in (K.MULTIPLE, K.RANKING):
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        if len(set(values)) != len(values) or not set(values) <= set(question.options):
            raise bad
        if question.kind == K.RANKING and set(values) != set(question.options):
            raise bad
        return values
    if question.kind == K.SCALE:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise bad from None
        if not 1 <= value <= question.scale_max:
            raise bad
        return value
    return str(raw).strip()[:1000]


@audited("deliberation.survey.respond")
def survey_respond(*, actor: Any, survey: Survey, answers: dict[str, Any],
                   merchant: Merchant | None = None) -> Response:
    """One response per verified phone (or per licence); a second is refused, the first stays."""
    district = survey.district
    policies.require(actor, "deliberation.participate", district)
    if survey.one_per == Survey.OnePer.MERCHANT:
        key = licence_key(owned_merchant(actor, district, merchant))
    else:
        key = phone_key(verified_phone(actor))
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("问卷不在答题时间内"), code="survey_not_open")
    clean = {}
    for question in survey.questions.all():
        value = _answer(question, answers.get(str(question.position)))
        if value is not None:
            clean[str(question.position)] = value
    try:
        with transaction.atomic():
            response = Response.objects.create(district=district, survey=survey, voter_key=key,
                                               user=user_of(actor), answers=clean)
            audit_record(actor=actor, district=district, obj=response,
                         action="deliberation.survey.respond", after={"survey": survey.pk})
    except IntegrityError:
        raise Conflict(_("您已提交过这份问卷"), code="already_responded") from None
    return response


@audited("deliberation.survey.export")
def survey_export_xlsx(*, actor: Any, survey: Survey) -> bytes:
    """All responses as a sheet, one column per question (no voter keys)."""
    policies.require(actor, "deliberation.export", survey)
    if survey.district_id is None:
        raise NotFound()
    questions = list(survey.questions.all())
    book = new_workbook()
    sheet = book.active
    sheet.title = "responses"
    xlsx_append(sheet, [_("提交时间"), *[f"Q{q.position} {q.text}" for q in questions]])
    rows = 0
    for response in survey.responses.all().order_by("created_at", "id").iterator():
        values = []
        for q in questions:
            value = response.answers.get(str(q.position))
            values.append(" > ".join(value) if isinstance(value, list) else value)
        xlsx_append(sheet, [response.created_at.replace(tzinfo=None), *values])
        rows += 1
    export_record(actor=actor, district=survey.district, action="deliberation.survey.export",
                  rows=rows, fmt="xlsx", object_type="deliberation.survey", object_id=survey.pk)
    return workbook_bytes(book)
