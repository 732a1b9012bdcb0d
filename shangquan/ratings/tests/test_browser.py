"""A quarter through the pages in Chromium, with axe: the association scores in the grid,
the committee closes, the merchant replies and appeals, an uninvolved committee member
decides, the committee publishes, and the QR page shows the grade, the flag and the reply."""

from __future__ import annotations

import pytest

from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.ratings import services
from shangquan.ratings.models import Appeal, Flag, Period, Score
from shangquan.scales import services as scale_services
from shangquan.scales.tests.factories import instrument_factory

from .factories import all_dims, period_factory, shops

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_quarter_through_the_pages(live_server, desktop_page, phone_page, north, login_page,
                                     assert_accessible):
    owner = north.people[Role.MERCHANT]
    period = period_factory(north)
    good, cheat = shops(north, 2, owner=owner)
    scale = instrument_factory(north.district, cheat)
    scale_services.spot_check_record(actor=north.people[Role.DEPARTMENT], district=north.district,
                                     instrument=scale, load_g="1000", indications=["1030"])
    for m in (good, cheat):
        services.score_record(actor=north.people[Role.COMMUNITY], period=period, merchant=m,
                              scores=all_dims(period, 90))
    code = north.district.code
    page = desktop_page

    def sign_in(user):
        # signed out first: on a signed-in page the first submit button is 退出
        page.context.clear_cookies()
        login_page(page, live_server, user)

    # the association scores in the grid
    sign_in(north.people[Role.ASSOCIATION])
    page.goto(f"{live_server.url}/console/{code}/ratings/periods/{period.pk}/grid/")
    assert_accessible(page)
    for d in period.dimensions:
        page.fill(f"#s-{good.pk}-{d['code']}", "95")
        page.fill(f"#s-{cheat.pk}-{d['code']}", "88")
    page.fill(f"#s-{cheat.pk}-hygiene", "101")  # out of range: refused, the shop stays unscored
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state("networkidle")
    assert "分数须为 0–100 的整数" in page.locator(".has-error").inner_text()
    assert not Score.objects.filter(merchant=cheat, rater=north.people[Role.ASSOCIATION]).exists()
    page.fill(f"#s-{cheat.pk}-hygiene", "88")
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state("networkidle")
    assert Score.objects.filter(rater=north.people[Role.ASSOCIATION]).count() == 12

    # the committee closes scoring
    sign_in(north.people[Role.COMMITTEE])
    page.goto(f"{live_server.url}/console/{code}/ratings/periods/{period.pk}/")
    page.get_by_role("button", name="结束评分并公示").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1 .badge").inner_text() == "结果公示"
    assert_accessible(page)

    # the merchant sees why, replies in public and appeals
    sign_in(owner)
    page.goto(f"{live_server.url}/console/{code}/ratings/mine/")
    page.get_by_role("link", name=f"{period.name} · {good.name}").click()
    assert "优秀" in page.locator(".rating-grade").inner_text()
    page.fill("#reply-text", "谢谢街坊们的认可！")
    page.get_by_role("button", name="发布回应").click()
    page.wait_for_load_state("networkidle")
    page.fill("#appeal-text", "社区评分当天我店未营业")
    page.get_by_role("button", name="提出申诉").click()
    page.wait_for_load_state("networkidle")
    assert "待裁决" in page.content()
    assert_accessible(page)

    # a committee member who scored nothing decides, with a reason
    judge = member_factory(north.district, Role.COMMITTEE, username="north-judge")
    sign_in(judge)
    page.goto(f"{live_server.url}/console/{code}/ratings/appeals/")
    assert_accessible(page)
    page.fill("textarea[name=decision]", "经核实当日营业正常，维持原评")
    page.get_by_role("button", name="提交裁决").click()
    page.wait_for_load_state("networkidle")
    assert Appeal.objects.get().status == "dismissed"

    # publish (the button publishes at once in the console); twice is once
    page.goto(f"{live_server.url}/console/{code}/ratings/periods/{period.pk}/")
    page.get_by_role("button", name="发布结果").click()
    page.wait_for_load_state("networkidle")
    period.refresh_from_db()
    assert period.status == Period.Status.PUBLISHED
    assert Flag.objects.get().merchant_id == good.pk

    # the QR page on a phone: grade with its face, the flag, the reply; the cheat's deduction
    phone = phone_page
    phone.goto(f"{live_server.url}/m/{good.public_token}/")
    section = phone.locator(".rating-section")
    assert "优秀" in section.inner_text() and "😊" in section.inner_text()
    assert "流动红旗" in section.inner_text() and "谢谢街坊们的认可" in section.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone)
    phone.goto(f"{live_server.url}/m/{cheat.public_token}/")
    assert "计量器具查验不合格" in phone.locator(".rating-section").inner_text()
    phone.goto(f"{live_server.url}/d/{code}/honour/")
    assert good.name in phone.locator(".rating-honour").inner_text()
    assert_accessible(phone)
