"""Console and fair-scale pages through the Django test client."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales.models import Instrument, Reweigh, SpotCheck

from .factories import instrument_factory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, name="诚信水果", stall_no="A-12",
                            owner=north.people[Role.MERCHANT])


def _login(client, user):
    client.force_login(user)
    return client


def test_console_pages_render_for_committee(client, north, shop):
    instrument = instrument_factory(north.district, shop)
    _login(client, north.people[Role.COMMITTEE])
    code = north.district.code
    for name in ("registry", "plan", "checks", "certificates", "reweighs", "kpis",
                 "instrument_new"):
        response = client.get(reverse(f"scales:{name}", kwargs={"code": code}))
        assert response.status_code == 200, name
    for name in ("instrument", "instrument_edit", "check"):
        response = client.get(reverse(f"scales:{name}", kwargs={"code": code,
                                                                 "pk": instrument.pk}))
        assert response.status_code == 200, name
    assert "诚信水果" in client.get(reverse("scales:registry", kwargs={"code": code})).text


def test_other_district_member_gets_404(client, north, south, shop):
    instrument = instrument_factory(north.district, shop)
    _login(client, south.people[Role.COMMITTEE])
    response = client.get(reverse("scales:instrument", kwargs={"code": north.district.code,
                                                               "pk": instrument.pk}))
    assert response.status_code == 404
    # own district URL with the foreign id: also not found
    response = client.get(reverse("scales:instrument", kwargs={"code": south.district.code,
                                                               "pk": instrument.pk}))
    assert response.status_code == 404


def test_check_form_failure_shows_verdict_and_suspends(client, north, shop):
    instrument = instrument_factory(north.district, shop)
    _login(client, north.people[Role.DEPARTMENT])
    url = reverse("scales:check", kwargs={"code": north.district.code, "pk": instrument.pk})
    response = client.post(url, {"unit": "kg", "load": "5", "reading1": "5.030", "planned": "1"})
    assert response.status_code == 200
    assert "不合格" in response.text and "已停用" in response.text
    check = SpotCheck.objects.get()
    assert check.planned and not check.passed
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.SUSPENDED


def test_check_form_below_min_shows_chinese_message(client, north, shop):
    instrument = instrument_factory(north.district, shop)
    _login(client, north.people[Role.DEPARTMENT])
    url = reverse("scales:check", kwargs={"code": north.district.code, "pk": instrument.pk})
    response = client.post(url, {"unit": "g", "load": "50", "reading1": "50"})
    assert response.status_code == 422
    assert "最小秤量 Min 100 克" in response.text
    response = client.post(url, {"unit": "kg", "load": "五", "reading1": "5"})
    assert response.status_code == 422 and "不是有效的数字" in response.text


def test_register_through_the_form(client, north, shop):
    _login(client, north.people[Role.GRID_LEADER])
    url = reverse("scales:instrument_new", kwargs={"code": north.district.code})
    response = client.post(url, {"merchant": shop.pk, "kind": "price_computing",
                                 "maker": "凯丰", "serial_no": "KF-77", "max_kg": "30",
                                 "e_g": "10", "accuracy_class": "III",
                                 "certificate_date": "2026-05-01"})
    assert response.status_code == 302
    instrument = Instrument.objects.get(serial_no="KF-77")
    assert instrument.max_capacity_g == 30000 and str(instrument.next_due) == "2027-05-01"


def test_merchant_sees_own_registry_but_cannot_register(client, north, shop):
    mine = instrument_factory(north.district, shop)
    theirs = instrument_factory(north.district, merchant_factory(north.district, name="别家"))
    _login(client, north.people[Role.MERCHANT])
    text = client.get(reverse("scales:registry", kwargs={"code": north.district.code})).text
    assert "诚信水果" in text and "别家" not in text
    response = client.get(reverse("scales:instrument_new", kwargs={"code": north.district.code}))
    assert response.status_code == 403
    own = client.get(reverse("scales:instrument", kwargs={"code": north.district.code,
                                                          "pk": mine.pk}))
    assert own.status_code == 200 and "登记承诺书" in own.text and "砝码查验</a>" not in own.text
    other = client.get(reverse("scales:instrument", kwargs={"code": north.district.code,
                                                            "pk": theirs.pk}))
    assert other.status_code == 404


def test_xlsx_export_then_import_round_trip(client, north, shop):
    instrument_factory(north.district, shop, serial_no="RT-1")
    _login(client, north.people[Role.COMMITTEE])
    code = north.district.code
    exported = client.get(reverse("scales:export", kwargs={"code": code}))
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5] == "出厂编号" and rows[1][5] == "RT-1"
    # Change the certificate of the existing one and add a new one.
    book = Workbook()
    ws = book.active
    ws.append(list(rows[0]))
    first = list(rows[1])
    first[9] = "新证书-1"
    ws.append(first)
    ws.append([shop.licence_no, shop.name, "案秤", "凯丰", "TCS", "RT-2", 30, 10, "Ⅲ",
               "ZS-2", "2026-06-01", None, None, None])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "scales.xlsx"
    response = client.post(reverse("scales:import", kwargs={"code": code}), {"file": data})
    assert response.status_code == 302
    assert Instrument.objects.get(serial_no="RT-1").certificate_no == "新证书-1"
    new = Instrument.objects.get(serial_no="RT-2")
    assert new.kind == "counter" and new.max_capacity_g == 30000


def test_xlsx_import_with_a_bad_row_imports_nothing(client, north, shop):
    from shangquan.scales.xlsx import HEADERS

    book = Workbook()
    ws = book.active
    ws.append(HEADERS)
    ws.append([shop.licence_no, shop.name, "电子计价秤", "凯丰", "", "OK-1", 15, 5, "III"])
    ws.append(["nope", "不存在的店", "电子计价秤", "凯丰", "", "OK-2", 15, 5, "III"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "bad.xlsx"
    _login(client, north.people[Role.COMMITTEE])
    response = client.post(reverse("scales:import", kwargs={"code": north.district.code}),
                           {"file": data}, follow=True)
    assert "第 3 行" in response.text
    assert not Instrument.objects.exists()


def test_fair_scale_station_anonymous_reweigh_and_one_tap_complaint(client, north, shop):
    from shangquan.workorders.models import WorkOrder

    code = north.district.code
    page = client.get(reverse("scales:station", kwargs={"code": code}) + f"?m={shop.public_token}")
    assert page.status_code == 200 and "诚信水果" in page.text
    response = client.post(reverse("scales:station", kwargs={"code": code}), {
        "merchant": shop.public_token, "goods": "车厘子", "unit_price": "60",
        "price_unit": "jin", "unit": "jin", "claimed": "2", "measured": "1.9"})
    assert response.status_code == 302
    record = Reweigh.objects.get()
    assert record.band == "premium" and record.verdict == "short"
    result = client.get(response["Location"])
    assert "一键投诉" in result.text
    complain = reverse("scales:station_complain", kwargs={"code": code,
                                                          "token": record.public_token})
    assert client.post(complain, {"phone": ""}).status_code == 302
    record.refresh_from_db()
    order = WorkOrder.objects.get(pk=record.work_order_id)
    assert order.merchant == shop
    assert order.number in client.get(response["Location"]).text
    # a second tap does not file twice
    assert client.post(complain).status_code == 409
    assert WorkOrder.objects.count() == 1


def test_public_merchant_page_shows_checks_without_names(client, north, shop):
    from shangquan.scales import services

    instrument = instrument_factory(north.district, shop)
    services.spot_check_record(actor=north.people[Role.DEPARTMENT], district=north.district,
                               instrument=instrument, load_g="5000", indications=["5000"])
    from shangquan.scales.merchant_sections import sections

    found = sections(shop)
    assert found and found[0]["context"]["scale_checks"][0]["passed"] is True
    assert set(found[0]["context"]["scale_checks"][0]) == {"date", "kind", "serial_tail", "passed"}
    url = reverse("merchants:public_page", kwargs={"token": shop.public_token})
    text = client.get(url).text
    assert "计量器具查验" in text and "合格" in text
    assert north.people[Role.DEPARTMENT].username not in text


def test_console_home_shows_scale_cards(client, north, shop):
    from shangquan.scales import services

    instrument_factory(north.district, shop)
    services.plan_ensure(district=north.district)
    _login(client, north.people[Role.DEPARTMENT])
    text = client.get(reverse("core:console_district", kwargs={"code": north.district.code})).text
    assert "今日查验" in text and "0/1" in text and "停用计量器具" in text
    _login(client, north.people[Role.RESIDENT])
    text = client.get(reverse("core:console_district", kwargs={"code": north.district.code})).text
    assert "停用计量器具" not in text


def test_settings_form_saves_and_audits(client, north):
    from shangquan.core.models import AuditLog
    from shangquan.scales.selectors import settings_for

    _login(client, north.people[Role.COMMITTEE])
    url = reverse("scales:kpis", kwargs={"code": north.district.code})
    response = client.post(url, {"check_window_days": "3", "daily_quota": "0",
                                 "lookback_days": "60", "warn_days": "20",
                                 "verification_months": "12", "rectification_days": "5"})
    assert response.status_code == 302
    config = settings_for(north.district)
    assert config.check_window_days == 3 and config.suspend_on_expiry is False
    assert AuditLog.objects.filter(action="scales.settings.update").exists()
    assert client.post(url, {"check_window_days": "abc"}).status_code == 422


@pytest.mark.parametrize("claimed", ["1e400", "99999999999", "abc", "-1"])
def test_station_refuses_bad_numbers_without_a_500(client, north, shop, claimed):
    response = client.post(reverse("scales:station", kwargs={"code": north.district.code}), {
        "merchant": shop.public_token, "goods": "苹果", "band": "staple", "unit": "g",
        "claimed": claimed, "measured": "900"})
    assert response.status_code == 422
    assert not Reweigh.objects.exists()
