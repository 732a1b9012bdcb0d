"""A visitor scans a poster on a phone; a committee member imports and prints posters."""

import datetime as dt
from urllib.parse import urlparse

import pytest

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.merchants import rosters
from shangquan.merchants.poster import poster_url

from .factories import grid_factory, licence_for, merchant_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_scans_poster_on_a_phone(live_server, phone_page, north, assert_accessible):
    grid = grid_factory(north.district, leader_name="陈邻铺长", public_contact="服务台 3 号")
    merchant = merchant_factory(north.district, name="老锦州烤冷面", grid=grid, stall_no="A-012",
                                phone="13812345678", opening_hours="17:00–23:30",
                                is_party_member=True, commit_promise="明码标价，足斤足两")
    today = dt.date.today()
    rosters.roster_generate(actor=SYSTEM, district=north.district, title="值守", grid=grid,
                            starts_on=today - dt.timedelta(days=1),
                            ends_on=today + dt.timedelta(days=1))
    # The poster's QR code carries SITE_URL + path; the phone opens that path here.
    path = urlparse(poster_url(merchant)).path
    page = phone_page
    page.goto(live_server.url + path)
    assert page.get_by_role("heading", level=1).inner_text() == "老锦州烤冷面"
    body = page.locator("main").inner_text()
    for text in ("党员商铺", "明码标价", "17:00–23:30", "陈邻铺长", "服务台 3 号", "今日街区管家",
                 "诚信评价"):
        assert text in body, text
    assert "13812345678" not in page.content() and "5678" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)


def test_committee_imports_then_prints_posters(live_server, desktop_page, north, login_page,
                                               assert_accessible, tmp_path):
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    csv_file = tmp_path / "名录.csv"
    csv_file.write_text("商户名称,统一社会信用代码,经营类别,摊位号\n"
                        f"好味烧烤,{licence_for(4401)},烧烤,B-01\n"
                        "错号小店,9144030071526726XA,小吃,B-02\n", encoding="utf-8")
    page.goto(f"{live_server.url}/console/{north.district.code}/merchants/import/")
    assert_accessible(page)
    page.set_input_files("#i-file", str(csv_file))
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/import/*/")
    # The dry run: what would be created and refused, before anything is written.
    page.wait_for_selector("text=试导入结果")
    assert "好味烧烤" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/import/*/")
    # The worker runs the job; the page follows its progress until the report shows.
    from shangquan.merchants.importing import import_job_run
    from shangquan.merchants.models import ImportJob

    job = ImportJob.objects.get(district=north.district)
    if job.status == "pending":
        import_job_run(job_id=job.pk)
    page.wait_for_selector("text=校验报告", timeout=10000)
    assert "校验位不正确" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/console/{north.district.code}/merchants/?q=好味")
    page.get_by_role("link", name="好味烧烤").click()
    page.wait_for_url("**/merchants/*/")
    poster = page.locator("img.poster-preview")
    poster.wait_for(state="visible")
    # the PNG itself has loaded, not only its <img> tag
    page.wait_for_function(
        "document.querySelector('img.poster-preview').complete"
        " && document.querySelector('img.poster-preview').naturalWidth > 100")
    assert_accessible(page)


def test_console_pages_are_accessible(live_server, desktop_page, north, login_page,
                                      assert_accessible):
    from shangquan.org.tests.factories import party_member_factory, station_factory

    grid = grid_factory(north.district, leader_name="刘邻铺长")
    for i in range(3):
        merchant_factory(north.district, grid=grid, stall_no=f"C-{i}")
    roster = rosters.roster_generate(actor=SYSTEM, district=north.district, title="值守",
                                     grid=grid, starts_on=dt.date.today(),
                                     ends_on=dt.date.today() + dt.timedelta(days=6))
    party_member_factory(north.district, name="李书记", role="secretary")
    station_factory(north.district, name="党群服务站")
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    code = north.district.code
    for path in ("merchants/", "merchants/associations/", "grids/", f"grids/{grid.pk}/",
                 "rosters/", f"rosters/{roster.pk}/", "org/", "org/alliances/",
                 "org/members/", "org/stations/", "org/registry/"):
        page.goto(f"{live_server.url}/console/{code}/{path}")
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
