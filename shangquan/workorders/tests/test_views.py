from __future__ import annotations

import io

import pytest
from django.urls import reverse

from shangquan.core.roles import Role
from shangquan.core.tests.factories import PASSWORD
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.workorders.models import WorkOrder

from .factories import advance, order_factory, photo_upload

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_report_page_preselects_merchant_and_retry_never_duplicates(north, client):
    merchant = merchant_factory(north.district, name="老街烧烤")
    url = reverse("workorders:report", kwargs={"code": north.district.code})
    page = client.get(url, {"merchant": merchant.public_token})
    assert page.status_code == 200 and "老街烧烤" in page.content.decode()
    data = {"category": "oil_fume", "description": "烧烤油烟直冲三楼窗户",
            "merchant": merchant.public_token, "idempotency_key": "form-key-1",
            "photos": [photo_upload()]}
    first = client.post(url, data)
    assert first.status_code == 302
    data["photos"] = [photo_upload()]
    second = client.post(url, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert WorkOrder.objects.filter(district=north.district).count() == 1
    order = WorkOrder.objects.get()
    assert order.merchant == merchant and order.photos.count() == 1
    track = client.get(first["Location"])
    assert order.number in track.content.decode()


def test_duplicate_is_offered_as_already_reported(north, client):
    existing = order_factory(north, latitude="41.119200", longitude="121.147700")
    url = reverse("workorders:report", kwargs={"code": north.district.code})
    data = {"category": "oil_fume", "description": "又是油烟", "latitude": "41.119300",
            "longitude": "121.147700"}
    r = client.post(url, data)
    assert r.status_code == 200
    assert existing.number in r.content.decode()
    assert WorkOrder.objects.count() == 1
    r = client.post(url, {**data, "confirm_duplicate": "1"})
    assert r.status_code == 302 and WorkOrder.objects.count() == 2


def test_tracking_page_has_no_personal_data(north, client):
    order = order_factory(north, reporter_name="赵大妈", reporter_phone="13811112222",
                          description="门口占道摆摊堵住盲道")
    r = client.get(reverse("workorders:track", kwargs={"code": north.district.code,
                                                       "number": order.number}))
    text = r.content.decode()
    assert r.status_code == 200 and order.number in text
    assert "赵大妈" not in text and "13811112222" not in text and "盲道" not in text


def test_console_loop_pages(north, client):
    order = order_factory(north)
    committee = login(client, north.people[Role.COMMITTEE])
    code = north.district.code
    board = committee.get(reverse("workorders:board", kwargs={"code": code}))
    assert order.number in board.content.decode()
    detail = committee.get(reverse("workorders:detail", kwargs={"code": code, "pk": order.pk}))
    assert "13" in detail.content.decode()  # the committee sees the reporter's phone
    r = committee.post(reverse("workorders:act", kwargs={"code": code, "pk": order.pk,
                                                         "action": "dispatch"}),
                       {"department": north.department.pk})
    assert r.status_code == 302
    client.logout()
    dept = login(client, north.people[Role.DEPARTMENT])
    act = lambda action, **data: dept.post(reverse(  # noqa: E731
        "workorders:act", kwargs={"code": code, "pk": order.pk, "action": action}), data)
    assert act("accept").status_code == 302
    r = act("resolve", note="已责令安装油烟净化器", photos=[photo_upload()])
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "resolved" and order.photos.filter(kind="evidence").count() == 1
    # a grid leader sees neither the order nor the reporter
    client.logout()
    grid = login(client, north.people[Role.GRID_LEADER])
    r = grid.get(reverse("workorders:detail", kwargs={"code": code, "pk": order.pk}))
    assert r.status_code == 404
    client.logout()
    resident = login(client, north.people[Role.RESIDENT])
    r = resident.post(reverse("workorders:rate", kwargs={"code": code, "number": order.number}),
                      {"rating": "satisfied", "comment": "很快"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "closed"
    mine = resident.get(reverse("workorders:mine", kwargs={"code": code}))
    assert order.number in mine.content.decode()


def test_wrong_action_shows_error_not_500(north, client):
    order = order_factory(north)
    committee = login(client, north.people[Role.COMMITTEE])
    r = committee.post(reverse("workorders:act", kwargs={"code": north.district.code,
                                                         "pk": order.pk, "action": "accept"}))
    assert r.status_code == 403
    r = committee.post(reverse("workorders:act", kwargs={"code": north.district.code,
                                                         "pk": order.pk, "action": "reject"}),
                       {"reason": ""})
    assert r.status_code == 422


def test_other_district_members_get_404(north, south, client):
    login(client, south.people[Role.COMMITTEE])
    for name in ("board", "overdue", "kpi", "categories", "escalations", "merge_candidates"):
        r = client.get(reverse(f"workorders:{name}", kwargs={"code": north.district.code}))
        assert r.status_code == 404, name


def test_console_pages_render(north, client):
    advance(north, order_factory(north), "closed", rating="basic")
    order_factory(north)
    login(client, north.people[Role.COMMITTEE])
    code = north.district.code
    for name in ("board", "overdue", "kpi", "categories", "escalations", "merge_candidates",
                 "new"):
        r = client.get(reverse(f"workorders:{name}", kwargs={"code": code}))
        assert r.status_code == 200, name
    r = client.get(reverse("workorders:kpi", kwargs={"code": code}))
    assert 'id="kpi-data"' in r.content.decode()
    assert "<script>" not in r.content.decode()


def test_kpi_export_is_xlsx_and_limited_by_role(north, client):
    from openpyxl import load_workbook

    advance(north, order_factory(north), "closed", rating="satisfied")
    login(client, north.people[Role.COMMITTEE])
    r = client.get(reverse("workorders:kpi_export", kwargs={"code": north.district.code}))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["汇总", "按部门", "按类别", "按网格", "按时期"]
    assert book["汇总"]["B2"].value == 1
    from shangquan.core.models import AuditLog

    audit = AuditLog.objects.get(district=north.district, action="workorders.kpi.export")
    assert audit.after["format"] == "xlsx" and audit.after["filters"]["period"] == "month"
    assert audit.after["rows"] == sum(book[name].max_row - 1 for name in book.sheetnames)
    client.logout()
    login(client, north.people[Role.DEPARTMENT])
    r = client.get(reverse("workorders:kpi_export", kwargs={"code": north.district.code}))
    assert r.status_code == 403
    assert AuditLog.objects.filter(action="workorders.kpi.export").count() == 1


def test_hotline_entry_and_category_edit(north, client):
    login(client, north.people[Role.COMMITTEE])
    code = north.district.code
    r = client.post(reverse("workorders:new", kwargs={"code": code}), {
        "channel": "hotline", "category": "gas", "description": "闻到燃气味，疑似泄漏",
        "reporter_name": "孙先生", "reporter_phone": "13766665555"})
    assert r.status_code == 302
    order = WorkOrder.objects.get(channel="hotline")
    assert order.reporter_phone == "13766665555" and order.category.tier == "emergency"
    cat = order.category
    r = client.post(reverse("workorders:categories", kwargs={"code": code}), {
        "id": cat.pk, "name": "燃气泄漏", "tier": "emergency", "department": "",
        "response_hours": "1", "resolution_hours": "3", "is_active": "1"})
    assert r.status_code == 302
    cat.refresh_from_db()
    assert cat.name == "燃气泄漏" and cat.resolution_hours == 3 and not cat.allow_anonymous
    r = client.post(reverse("workorders:categories", kwargs={"code": code}), {
        "form": "settings", "weight_response": "0.2", "weight_resolution": "0.4",
        "weight_satisfaction": "0.4", "reopen_limit": "3"})
    assert r.status_code == 302


def test_multipart_form_without_photos_retried(north, client):
    """A report without photos is still multipart: the retry is recognised, no 500."""
    url = reverse("workorders:report", kwargs={"code": north.district.code})
    data = {"category": "noise", "description": "夜里装卸货噪音", "idempotency_key": "k-2"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert WorkOrder.objects.filter(district=north.district).count() == 1
