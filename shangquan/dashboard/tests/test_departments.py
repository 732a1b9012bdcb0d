"""A department's view across the districts it serves: its own departments' parts of the
indicators that split by department, per district, and the total (rates Σ num ÷ Σ den,
never a mean); each figure links to that district's drill-down; role-aware and scoped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.models import Department
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.core.tests.factories import district_factory, member_factory
from shangquan.core.tests.test_english_pages import _chinese_labels, _data_text
from shangquan.dashboard import selectors
from shangquan.workorders import services as wo_services
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db

TOTAL, SATISFACTION = "workorders.total", "workorders.satisfaction_rate"


def api(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}/dashboard/departments"


def page(persona) -> str:
    return f"/console/{persona.district.code}/dashboard/departments/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _dispatched(persona, department, rating: str = "") -> None:
    order = order_factory(persona)
    wo_services.work_order_dispatch(actor=persona.people[Role.COMMITTEE],
                                    district=persona.district, order=order,
                                    department=department)
    if rating:
        order.refresh_from_db()
        advance(persona, order, "closed", rating=rating)


@pytest.fixture
def served(north, south):
    """North's department person (市场监管) serves south's 市场监管 too. This month: north's
    市场监管 2 orders, both rated 满意; south's 2 orders, one rated 不满意; north's 城管执法
    (not theirs) 1 order rated 不满意."""
    person = north.people[Role.DEPARTMENT]
    core_services.membership_grant(actor=SYSTEM, district=south.district, user=person,
                                   role=Role.DEPARTMENT, department=south.department)
    other = Department.objects.get(district=north.district, code="cgzf")
    for _i in range(2):
        advance(north, order_factory(north), "closed", rating="satisfied")
    advance(south, order_factory(south), "closed", rating="unsatisfied")
    advance(south, order_factory(south), "dispatched")
    _dispatched(north, other)
    return person, other


def _rows(body: dict) -> dict[str, dict]:
    return {r["key"]: r for r in body["rows"]}


def test_the_department_sees_its_own_parts_in_both_districts_and_their_total(
        north, south, served, api_client):
    person, other = served
    r = api_client(person).get(api(north))
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["period"] == Period.containing("month", timezone.localdate()).label
    assert [(c["code"], c["department_id"]) for c in body["columns"]] == [
        ("NORTH", north.department.pk), ("SOUTH", south.department.pk)]
    rows = _rows(body)
    # only indicators that split by department, each with a cell per column
    assert TOTAL in rows and SATISFACTION in rows
    assert all("department" in selectors.indicator_get(key=k).dimensions for k in rows)
    total = rows[TOTAL]
    assert [c["value"] for c in total["cells"]] == [2, 2]
    assert total["total"]["value"] == 4  # 城管执法's order is not theirs
    rate = rows[SATISFACTION]
    assert [c["value"] for c in rate["cells"]] == [100, 0]
    # Σ numerators ÷ Σ denominators: 2 ÷ 3, not the mean of 100 % and 0 %
    assert rate["total"]["numerator"] == 2 and rate["total"]["denominator"] == 3
    assert rate["total"]["value"] == pytest.approx(66.667, abs=0.01)
    # each figure: that district's drill-down, by department, this part
    north_cell, south_cell = total["cells"]
    assert north_cell["drill"].startswith("/console/NORTH/dashboard/drill/workorders.total/?")
    assert f"part={north.department.pk}" in north_cell["drill"]
    assert "by=department" in south_cell["drill"]
    assert south_cell["drill"].startswith("/console/SOUTH/dashboard/drill/")
    client = _client(person)
    drill = client.get(south_cell["drill"])
    assert drill.status_code == 200 and south.department.name in drill.content.decode()
    # some of the districts; the same figures through the south district's URL
    one = api_client(person).get(api(south), {"codes": "SOUTH"}).json()
    assert [c["code"] for c in one["columns"]] == ["SOUTH"]
    assert _rows(one)[TOTAL]["total"]["value"] == 2
    # the console page: both districts, the total, the links; nothing of 城管执法
    html = client.get(page(north)).content.decode()
    assert 'id="department-table"' in html
    assert north_cell["drill"].replace("&", "&amp;") in html
    assert south_cell["drill"].replace("&", "&amp;") in html
    row = html.split(f'data-key="{SATISFACTION}"')[1].split("</tr>")[0]
    assert "66.7" in row and "100.0" in row
    assert f'data-department="{other.pk}"' not in html
    # and in the department's menu
    assert f'href="{page(north)}" aria-current="page"' in html
    # a closed period too, chosen by label
    last = Period.containing("month", timezone.localdate()).previous()
    earlier = api_client(person).get(api(north), {"period": last.label}).json()
    assert earlier["period"] == last.label
    assert _rows(earlier)[TOTAL]["total"]["value"] == 0


def test_scope_and_roles(north, south, served, api_client):
    person, _other = served
    # a district the person does not serve, named in codes: 404 like an unknown one
    east = district_factory("EAST", "东关商圈")
    for code in ("EAST", "NOPE"):
        r = api_client(person).get(api(north), {"codes": f"NORTH,{code}"})
        assert r.status_code == 404 and r.json()["code"] == "district_out_of_scope"
        assert code in r.json()["message"]
        assert _client(person).get(page(north), {"codes": code}).status_code == 404
    # a district the caller is no member of, in the path: 404
    assert api_client(person).get(
        f"/api/v1/districts/{east.code}/dashboard/departments").status_code == 404
    committee = north.people[Role.COMMITTEE]
    assert api_client(committee).get(api(south)).status_code == 404
    assert _client(committee).get(page(south)).status_code == 404
    # a committee member with no department membership: no columns, nothing of any
    # department's; naming their own district is out of that (empty) scope
    body = api_client(committee).get(api(north)).json()
    assert body["columns"] == [] and all(r["cells"] == [] for r in body["rows"])
    html = _client(committee).get(page(north)).content.decode()
    assert 'id="department-none"' in html and 'id="department-table"' not in html
    assert f'href="{page(north)}"' not in html  # not in the committee's menu
    r = api_client(committee).get(api(north), {"codes": "NORTH"})
    assert r.status_code == 404 and r.json()["code"] == "district_out_of_scope"
    # roles without the dashboard: 403 (the policy); anonymous 401
    for role in (Role.RESIDENT, Role.MERCHANT):
        r = api_client(north.people[role]).get(api(north))
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
        assert _client(north.people[role]).get(page(north)).status_code == 403
    assert api_client(None).get(api(north)).status_code == 401
    # a department person of one district only: that district alone
    solo = member_factory(south.district, Role.DEPARTMENT, department=south.department)
    body = api_client(solo).get(api(south)).json()
    assert [c["code"] for c in body["columns"]] == ["SOUTH"]
    assert _rows(body)[TOTAL]["total"]["value"] == 2
    # a bad period on the API: 422
    r = api_client(person).get(api(north), {"period": "2026-W99"})
    assert r.status_code == 422 and r.json()["code"] == "bad_period"


def test_the_page_in_english_has_no_chinese_label(north, south, served):
    person, _other = served
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    response = client.get(page(north))
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert "My department across districts" in html and "Satisfaction rate" in html
    assert not _chinese_labels(html, _data_text())
