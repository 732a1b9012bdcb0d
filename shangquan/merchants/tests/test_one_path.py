"""One code path for merchants: exports audited with their row count on the page and the
API, cells that stay text, imports through the single-edit services, and owner edits that
answer on the page what the service answers."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants import services
from shangquan.merchants.importing import merchants_import
from shangquan.merchants.models import Association, Merchant

from .factories import licence_for, merchant_factory

pytestmark = pytest.mark.django_db


def _audits(district, action):
    return AuditLog.objects.filter(district=district, action=action)


def test_export_page_and_api_write_one_row_each_with_the_count(client, north, api_client):
    merchant_factory(north.district, name="=cmd|'/c calc'!A1", category="小吃")
    merchant_factory(north.district, name="+连锁便利", category="小吃")
    merchant_factory(north.district, name="老王面馆", category="餐饮")
    code = north.district.code
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{code}/merchants/export.xlsx", {"category": "小吃"})
    assert page.status_code == 200
    row = _audits(north.district, "merchants.merchant.export").get()
    assert row.after["rows"] == 2 and row.after["format"] == "xlsx"
    assert row.after["filters"] == {"category": "小吃"}
    names = [r[0] for r in load_workbook(io.BytesIO(page.content)).active.iter_rows(
        min_row=2, values_only=True)]
    assert sorted(names) == ["'+连锁便利", "'=cmd|'/c calc'!A1"]  # formulas stay text

    api = api_client(north.people[Role.STREET]).get(f"/api/v1/districts/{code}/merchants.xlsx")
    assert api.status_code == 200
    assert _audits(north.district, "merchants.merchant.export").count() == 2
    latest = _audits(north.district, "merchants.merchant.export").order_by("-pk").first()
    assert latest.after["rows"] == 3 and latest.actor == north.people[Role.STREET]


def test_export_refused_alike_on_page_and_api(client, north, api_client):
    code = north.district.code
    grid_leader = north.people[Role.GRID_LEADER]
    client.force_login(grid_leader)
    assert client.get(f"/console/{code}/merchants/export.xlsx").status_code == 403
    assert api_client(grid_leader).get(
        f"/api/v1/districts/{code}/merchants.xlsx").status_code == 403
    assert not _audits(north.district, "merchants.merchant.export").exists()


def test_poster_batch_is_audited_with_its_count(client, north):
    merchant_factory(north.district)
    merchant_factory(north.district)
    client.force_login(north.people[Role.COMMITTEE])
    response = client.get(f"/console/{north.district.code}/merchants/posters.pdf")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    row = _audits(north.district, "merchants.poster.export").get()
    assert row.after == {"rows": 2, "format": "pdf", "filters": {}}


def _sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["商户名称", "统一社会信用代码", "经营类别", "联系电话", "商会协会", "状态"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_rows_go_through_the_single_edit_services(north):
    committee = north.people[Role.COMMITTEE]
    existing = merchant_factory(north.district, name="旧名", licence_no=licence_for(9001),
                                category="餐饮")
    report = merchants_import(actor=committee, district=north.district, filename="a.xlsx",
                              data=_sheet([
                                  ["新店", licence_for(9002), "小吃", "13900000001", "夜市商会",
                                   "停业"],
                                  ["新名", licence_for(9001), "餐饮", "", "", ""],
                              ]))
    assert (report.created, report.updated, report.errors) == (1, 1, [])
    new = Merchant.objects.get(district=north.district, licence_no=licence_for(9002))
    assert new.status == "suspended" and new.association.name == "夜市商会"
    # Each row wrote the rows a console edit writes, plus one summary row.
    assert _audits(north.district, "merchants.merchant.create").filter(
        object_id=str(new.pk)).count() == 1
    assert _audits(north.district, "merchants.merchant.status_set").filter(
        object_id=str(new.pk)).count() == 1
    assert _audits(north.district, "merchants.association.create").count() == 1
    update = _audits(north.district, "merchants.merchant.update").get(object_id=str(existing.pk))
    assert update.before["name"] == "旧名" and update.after["name"] == "新名"
    summary = _audits(north.district, "merchants.merchant.import").get()
    assert summary.after["created"] == 1 and summary.after["updated"] == 1


def test_import_row_refused_by_a_service_is_reported_not_imported(north):
    # The association role may import, but not found an association or set a status: the
    # same refusals as on the console, per row; the other rows still go in.
    association = north.people[Role.ASSOCIATION]
    report = merchants_import(actor=association, district=north.district, filename="b.xlsx",
                              data=_sheet([
                                  ["甲店", licence_for(9101), "小吃", "", "新商会", ""],
                                  ["乙店", licence_for(9102), "小吃", "", "", "停业"],
                                  ["丙店", licence_for(9103), "小吃", "", "", ""],
                              ]))
    assert report.created == 1
    assert [e["row"] for e in report.errors] == [2, 3]
    assert Merchant.objects.filter(district=north.district).get().name == "丙店"
    assert not Association.objects.filter(district=north.district).exists()


def test_owner_edit_refused_alike_on_page_and_api(client, north, api_client):
    owner = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district, owner=owner, name="自家小店")
    code = north.district.code
    client.force_login(owner)
    page = client.post(f"/console/{code}/merchants/{shop.pk}/",
                       {"opening_hours": "09:00-21:00", "category": "服饰"})
    api = api_client(owner).patch(f"/api/v1/districts/{code}/merchants/{shop.pk}",
                                  {"opening_hours": "09:00-21:00", "category": "服饰"})
    assert page.status_code == api.status_code == 403
    assert api.json()["message"] in page.content.decode()
    shop.refresh_from_db()
    assert shop.category != "服饰" and shop.opening_hours != "09:00-21:00"
    assert services.OWNER_EDITABLE >= {"opening_hours"}
