"""Surveys: question kinds, one response per verified phone or per licence, cross-tabs
with small cells suppressed, the xlsx export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role

from .. import selectors
from ..services import surveys
from .factories import resident_voter, shop_owner

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "single", "text": "身份", "options": ["居民", "商户"]},
    {"kind": "scale", "text": "满意度", "scale_max": 5},
    {"kind": "multiple", "text": "关心", "options": ["停车", "卫生", "照明"]},
    {"kind": "ranking", "text": "优先", "options": ["停车", "卫生"]},
    {"kind": "text", "text": "其他", "required": False},
]


def _survey(district, **kw):
    s = surveys.survey_create(actor=SYSTEM, district=district, title="改造问卷",
                              questions=QUESTIONS, **kw)
    return surveys.survey_open(actor=SYSTEM, survey=s)


def _answers(who="居民", score=4):
    return {"1": who, "2": score, "3": ["停车"], "4": ["卫生", "停车"], "5": "=HYPERLINK(1)"}


def test_one_response_per_verified_phone(north):
    s = _survey(north.district)
    voter = resident_voter(north.district)
    surveys.survey_respond(actor=voter, survey=s, answers=_answers())
    with pytest.raises(Conflict) as again:
        surveys.survey_respond(actor=voter, survey=s, answers=_answers("商户"))
    assert again.value.code == "already_responded"
    assert s.responses.get().answers["1"] == "居民"


def test_one_response_per_licence_when_configured(north):
    s = _survey(north.district, one_per="merchant")
    owner, _shop = shop_owner(north.district)
    surveys.survey_respond(actor=owner, survey=s, answers=_answers("商户"))
    with pytest.raises(PermissionDenied):
        surveys.survey_respond(actor=resident_voter(north.district), survey=s, answers=_answers())


def test_bad_answers_are_refused(north):
    s = _survey(north.district)
    voter = resident_voter(north.district)
    for bad in ({**_answers(), "1": "游客"}, {**_answers(), "2": 9}, {**_answers(), "4": ["停车"]},
                {**_answers(), "3": ["停车", "停车"]}, {"5": "only text"}):
        with pytest.raises(ValidationFailed):
            surveys.survey_respond(actor=voter, survey=s, answers=bad)
    assert not s.responses.exists()


def test_crosstab_suppresses_cells_under_five_and_results_count(north):
    s = _survey(north.district)
    for _i in range(7):
        surveys.survey_respond(actor=resident_voter(north.district), survey=s,
                               answers=_answers("居民", 5))
    for _i in range(2):
        surveys.survey_respond(actor=resident_voter(north.district), survey=s,
                               answers=_answers("商户", 1))
    table = selectors.survey_crosstab(survey=s, row=1, col=2)
    assert table["cells"][0][4] == 7
    assert table["cells"][1][0] is None  # 2 responses: suppressed
    results = {r["position"]: r for r in selectors.survey_results(survey=s)}
    assert dict(results[1]["rows"]) == {"居民": 7, "商户": 2}
    assert results[4]["rows"][0] == ("卫生", 1.0)


def test_export_is_formula_safe_and_audited(north):
    s = _survey(north.district)
    surveys.survey_respond(actor=resident_voter(north.district), survey=s, answers=_answers())
    data = surveys.survey_export_xlsx(actor=north.people[Role.COMMITTEE], survey=s)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(2, 6).value == "'=HYPERLINK(1)"
    assert AuditLog.objects.filter(action="deliberation.survey.export").count() == 1
    with pytest.raises(PermissionDenied):
        surveys.survey_export_xlsx(actor=north.people[Role.MERCHANT], survey=s)
