import io

import pytest
from openpyxl import Workbook

from shangquan.core.roles import Role
from shangquan.merchants import public
from shangquan.merchants.models import ImportJob, Merchant

from .factories import grid_factory, licence_for, merchant_factory

pytestmark = pytest.mark.django_db


def test_public_page_shows_everything_a_visitor_needs(client, north):
    grid = grid_factory(north.district, leader_name="陈邻铺长", public_contact="服务台 0416-1234567")
    merchant = merchant_factory(north.district, name="国潮茶饮", grid=grid, phone="13811112222",
                                opening_hours="10:00-22:00", address="永嘉国潮街 12 号",
                                is_party_member=True, party_badge="operator",
                                commit_duty="带头明码标价")
    body = client.get(f"/m/{merchant.public_token}/").content.decode()
    for text in ("国潮茶饮", "10:00-22:00", "永嘉国潮街 12 号", "党员经营户", "带头明码标价",
                 "陈邻铺长", "服务台 0416-1234567", "诚信评价", "今日街区管家"):
        assert text in body, text
    assert "13811112222" not in body and "138****2222" not in body


def test_sections_from_other_modules_in_order(client, north, monkeypatch):
    merchant = merchant_factory(north.district)

    def late(m):
        return [{"order": 20, "title": "计量", "template": "merchants/_test_section.html",
                 "context": {"text": "SECOND-SECTION"}}]

    def early(m):
        return [{"order": 10, "title": "检查", "template": "merchants/_test_section.html",
                 "context": {"text": f"FIRST-SECTION {m.name}"}}]

    def broken(m):
        raise RuntimeError("one module failing must not break the page")

    monkeypatch.setattr(public, "collect", lambda *a: [late, broken, early])
    body = client.get(f"/m/{merchant.public_token}/").content.decode()
    assert body.index("FIRST-SECTION") < body.index("SECOND-SECTION")
    assert f"FIRST-SECTION {merchant.name}" in body


def test_report_button_only_when_workorders_route_exists(north):
    merchant = merchant_factory(north.district)
    url = public.report_url(merchant)
    assert url == "" or url.endswith(f"?merchant={merchant.public_token}")


def test_console_pages_for_committee(client, north, south):
    grid = grid_factory(north.district)
    merchant = merchant_factory(north.district, grid=grid)
    client.force_login(north.people[Role.COMMITTEE])
    code = north.district.code
    for path in ("merchants/", f"merchants/{merchant.pk}/", "merchants/import/",
                 "merchants/associations/", "grids/", f"grids/{grid.pk}/", "rosters/"):
        assert client.get(f"/console/{code}/{path}").status_code == 200, path
    assert client.get(f"/console/{south.district.code}/merchants/").status_code == 404
    created = client.post(f"/console/{code}/merchants/", {
        "name": "新店", "licence_no": licence_for(7777), "category": "小吃"})
    assert created.status_code == 302
    bad = client.post(f"/console/{code}/merchants/", {"name": "坏", "licence_no": "123",
                                                      "category": "小吃"})
    assert bad.status_code == 422 and "18 位" in bad.content.decode()
    status = client.post(f"/console/{code}/merchants/{merchant.pk}/",
                         {"action": "status", "status": "suspended", "reason": "停业整改"})
    assert status.status_code == 302
    merchant.refresh_from_db()
    assert merchant.status == "suspended"
    proposal = client.post(f"/console/{code}/grids/", {"action": "propose", "size": "10"})
    assert proposal.status_code == 200 and "方案" in proposal.content.decode()
    export = client.get(f"/console/{code}/merchants/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    roster = client.post(f"/console/{code}/rosters/", {"title": "值守", "starts_on": "2026-12-01",
                                                       "ends_on": "2026-12-14",
                                                       "closed_weekdays": ["0"]})
    assert roster.status_code == 302


def test_web_import_with_progress_page(client, north, django_capture_on_commit_callbacks):
    wb = Workbook()
    ws = wb.active
    ws.append(["商户名称", "营业执照号", "经营类别"])
    ws.append(["好店", licence_for(8801), "小吃"])
    ws.append(["坏店", "9144030071526726XA", "小吃"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    data.name = "名录.xlsx"
    client.force_login(north.people[Role.ASSOCIATION])
    code = north.district.code
    response = client.post(f"/console/{code}/merchants/import/", {"file": data})
    assert response.status_code == 302
    # A dry run first: nothing written until 确认导入.
    job = ImportJob.objects.get(district=north.district)
    assert job.status == "preview" and not Merchant.objects.filter(name="好店").exists()
    preview = client.get(response["Location"]).content.decode()
    assert "将新增" in preview and "校验位不正确" in preview and "确认导入" in preview
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"], {"action": "confirm"}).status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.created == 1 and len(job.errors) == 1
    page = client.get(response["Location"]).content.decode()
    assert "校验位不正确" in page and "坏店" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert Merchant.objects.filter(district=north.district, name="好店").exists()


def test_merchant_cannot_open_staff_console_list(client, north):
    client.force_login(north.people[Role.RESIDENT])
    assert client.get(f"/console/{north.district.code}/merchants/").status_code == 403


def test_cached_page_still_gives_each_visitor_a_working_csrf_token(north):
    import re

    from django.test import Client

    merchant = merchant_factory(north.district)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(f"/m/{merchant.public_token}/")
    page = second.get(f"/m/{merchant.public_token}/").content.decode()  # served from cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "__shangquan_csrf__" not in page
    switched = second.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token,
                                              "next": f"/m/{merchant.public_token}/"})
    assert switched.status_code == 302
    english = second.get(f"/m/{merchant.public_token}/").content.decode()
    assert 'lang="en"' in english


def test_owner_reaches_and_edits_own_shop(client, north):
    owner = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district, owner=owner, name="自家小店")
    client.force_login(owner)
    code = north.district.code
    mine = client.get(f"/console/{code}/merchants/mine/")
    assert mine.status_code == 302 and mine["Location"].endswith(f"/merchants/{shop.pk}/")
    # A field the owner may not change is refused with the service's 403, as by the API;
    # nothing is saved (it used to be dropped silently and the rest saved).
    refused = client.post(f"/console/{code}/merchants/{shop.pk}/",
                          {"opening_hours": "08:00-20:00", "name": "想改名"})
    assert refused.status_code == 403
    assert "经营者只能修改营业时间、联系方式和承诺" in refused.content.decode()
    shop.refresh_from_db()
    assert shop.opening_hours != "08:00-20:00" and shop.name == "自家小店"
    saved = client.post(f"/console/{code}/merchants/{shop.pk}/",
                        {"opening_hours": "08:00-20:00"})
    assert saved.status_code == 302
    shop.refresh_from_db()
    assert shop.opening_hours == "08:00-20:00" and shop.name == "自家小店"
    other = merchant_factory(north.district)
    assert client.get(f"/console/{code}/merchants/{other.pk}/").status_code == 403


def test_committee_links_a_party_member_to_a_shop(client, north):
    from shangquan.org.tests.factories import party_member_factory

    member = party_member_factory(north.district, name="张党员")
    shop = merchant_factory(north.district, name="张记小炒")
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/merchants/{shop.pk}/").content.decode()
    assert "张党员" in page
    client.post(f"/console/{north.district.code}/merchants/{shop.pk}/", {
        "name": shop.name, "licence_no": shop.licence_no, "category": shop.category,
        "party_member": str(member.pk), "is_party_member": "1"})
    shop.refresh_from_db()
    assert shop.party_member == member and shop.is_party_member


def test_grid_leader_blank_on_the_page_clears_it_as_the_api_does(north, client, api_client):
    from shangquan.core.roles import Role
    from shangquan.merchants.tests.factories import grid_factory

    leader = north.people[Role.GRID_LEADER]
    for via in ("page", "api"):
        grid = grid_factory(north.district, leader=leader)
        assert grid.leader_id == leader.pk
        if via == "page":
            client.force_login(north.people[Role.COMMITTEE])
            response = client.post(
                f"/console/{north.district.code}/grids/{grid.pk}/",
                {"name": grid.name, "leader_name": "", "public_contact": "", "leader": ""})
            assert response.status_code == 302
        else:
            response = api_client(north.people[Role.COMMITTEE]).patch(
                f"/api/v1/districts/{north.district.code}/grids/{grid.pk}",
                {"leader_id": None})
            assert response.status_code == 200, response.content
        grid.refresh_from_db()
        assert grid.leader_id is None, via
