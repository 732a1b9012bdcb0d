"""A checker follows today's plan on a phone; a shopper re-weighs at the fair scale."""

from __future__ import annotations

import pytest

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales.models import Instrument, Reweigh, SpotCheck

from .factories import instrument_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checker_follows_todays_plan_on_a_phone(live_server, phone_page, north, login_page,
                                                assert_accessible):
    good = merchant_factory(north.district, name="诚信干货", stall_no="B-03")
    bad = merchant_factory(north.district, name="老街卤味", stall_no="B-07")
    instrument_factory(north.district, good, serial_no="OK-1")
    cheat = instrument_factory(north.district, bad, serial_no="BAD-1")
    page = phone_page
    login_page(page, live_server, north.people[Role.DEPARTMENT])
    page.goto(f"{live_server.url}/console/{north.district.code}/scales/plan/")
    assert page.locator("h1").inner_text() == "今日查验"
    assert page.locator(".scale-plan-item").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    page.get_by_role("link", name="查验 诚信干货 OK-1").click()
    page.wait_for_url("**/check/?planned=1")
    assert_accessible(page)
    page.fill("#id_load", "5")
    page.fill("#id_reading1", "5.005")
    page.fill("#id_reading2", "5.000")
    page.get_by_role("button", name="提交并判定").click()
    page.wait_for_load_state("networkidle")
    assert "合格" in page.locator(".scale-verdict h2").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="返回今日查验").click()
    page.wait_for_url("**/scales/plan/")
    page.get_by_role("link", name="查验 老街卤味 BAD-1").click()
    page.fill("#id_load", "0.05")
    page.fill("#id_reading1", "0.05")
    page.get_by_role("button", name="提交并判定").click()
    page.wait_for_load_state("networkidle")
    assert "最小秤量" in page.get_by_role("alert").inner_text()
    page.fill("#id_load", "5")
    page.fill("#id_reading1", "5.030")
    page.get_by_role("button", name="提交并判定").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".scale-verdict h2").inner_text() == "不合格"
    assert_accessible(page)

    cheat.refresh_from_db()
    assert cheat.status == Instrument.Status.SUSPENDED
    assert SpotCheck.objects.filter(planned=True).count() == 2
    page.goto(f"{live_server.url}/console/{north.district.code}/scales/plan/")
    assert page.locator(".stat-value").first.inner_text() == "2/2"


def test_shopper_reweighs_and_complains_on_a_phone(live_server, phone_page, north,
                                                   assert_accessible):
    shop = merchant_factory(north.district, name="鲜果汇", stall_no="C-01")
    page = phone_page
    page.goto(f"{live_server.url}/d/{north.district.code}/fair-scale/?m={shop.public_token}")
    assert_accessible(page)
    page.fill("#id_goods", "车厘子")
    page.fill("#id_unit_price", "60")
    page.check("#w-jin")
    page.fill("#id_claimed", "2")
    page.fill("#id_measured", "1.9")
    page.get_by_role("button", name="复称判定").click()
    page.wait_for_load_state("networkidle")
    assert "短少超过允许负偏差" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_role("button", name="投诉该商户").click()
    page.wait_for_load_state("networkidle")
    assert "已投诉" in page.locator(".alert-success").inner_text()
    assert Reweigh.objects.get().work_order_id is not None


def test_committee_reads_the_kpi_chart(live_server, desktop_page, north, login_page,
                                       assert_accessible):
    from shangquan.scales import services

    shop = merchant_factory(north.district, name="放心肉铺")
    instrument = instrument_factory(north.district, shop)
    services.spot_check_record(actor=north.people[Role.DEPARTMENT], district=north.district,
                               instrument=instrument, load_g="5000", indications=["5000"])
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    page.goto(f"{live_server.url}/console/{north.district.code}/scales/kpis/")
    page.wait_for_selector("#scale-kpi-chart svg")
    assert "100.0%" in page.locator(".stat-value").first.inner_text()
    assert_accessible(page)
