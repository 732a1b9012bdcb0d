"""Reports: made by the worker from snapshots (xlsx parsed, PDF text extracted, figures
equal to the KPI page's), idempotent, refused without data or for an open period, read
and downloaded by role, street reports only for who reads every district in them."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import NotFound, PermissionDenied, ValidationFailed
from shangquan.core.indicators import Measure
from shangquan.core.models import AuditLog, District, Notification
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import selectors, services, tasks
from shangquan.dashboard.models import Report, ReportScope, ReportTrigger, SnapshotSource

from .test_snapshots import last_week, orders_last_week

pytestmark = pytest.mark.django_db


def monday_nine() -> dt.datetime:
    """This week's Monday, 09:00 local: last week's report is due."""
    monday = Period.containing("week", timezone.localdate()).start
    return timezone.make_aware(dt.datetime.combine(monday, dt.time(9)))


TOTAL, SATISFACTION = "workorders.total", "workorders.satisfaction_rate"


def last_year() -> Period:
    return Period.containing("year", timezone.localdate()).previous()


def freeze_last_year(persona, *, total: int, satisfied: int, rated: int) -> Period:
    """Last year's snapshots of two indicators (as the demo's history stores them): the
    orders of the test are today's, so a live measure of that year would be empty."""
    year = last_year()
    services.snapshots_freeze(
        actor=SYSTEM, district=persona.district, periods=[year], source=SnapshotSource.DEMO,
        values={(TOTAL, year): Measure(total),
                (SATISFACTION, year): Measure(100 * satisfied / rated, satisfied, rated)})
    return year


def new_year(hour: int) -> dt.datetime:
    """1 January of this year at ``hour`` local: last year's report is due from 08:00."""
    return timezone.make_aware(dt.datetime(timezone.localdate().year, 1, 1, hour))


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_weekly_report_by_the_worker_matches_the_kpi_page(north, client,
                                                         django_capture_on_commit_callbacks):
    orders_last_week(north, 3)
    services.snapshots_freeze(actor=SYSTEM, district=north.district)
    committee = north.people[Role.COMMITTEE]
    services.subscription_set(actor=committee, district=north.district, kind="week", on=True)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.reports_scheduled(now=monday_nine())
    [report] = [r for r in made if r.kind == "week"]
    assert (report.scope, report.district, report.start, report.trigger) == (
        ReportScope.DISTRICT, north.district, last_week().start, ReportTrigger.SCHEDULED)
    page = {v.indicator.key: v for v in selectors.kpi_board(
        user=committee, district=north.district, period=last_week())}
    report = Report.objects.get(pk=report.pk)
    # xlsx: one sheet per module, Chinese headers, numbers as numbers
    book = load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert book.sheetnames[0] == "概览" and len(book.sheetnames) > 2
    cells = {}
    for sheet in book.worksheets[1:]:
        assert [c.value for c in sheet[1]][:5] == ["指标", "单位", "本期", "上期", "变化"]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            cells[row[0]] = row[2]
    total = page["workorders.total"]
    assert cells[str(total.indicator.label)] == total.current.value == 3
    assert isinstance(cells[str(total.indicator.label)], int | float)
    for v in page.values():
        assert cells[str(v.indicator.label)] == v.current.value
    # PDF: the title and the same figures in its text
    text = pdf_text(bytes(report.pdf))
    assert report.title in text and last_week().label in text
    flat = "".join(text.split())
    assert f"{total.indicator.label}（{total.indicator.unit}）3" in flat
    # and the KPI page for the same week says the same
    client.force_login(committee)
    html = client.get(f"/console/{north.district.code}/dashboard/kpis/",
                      {"period": last_week().label}).content.decode()
    row = html.split('data-key="workorders.total"')[1].split("</tr>")[0]
    assert f"{total.current.value:.1f} {total.indicator.unit}" in row
    # the subscriber got a notification with a link to the download
    [note] = Notification.objects.filter(user=committee, link__contains="/dashboard/reports/")
    assert note.title == report.title and f"/reports/{report.pk}.xlsx" in note.link
    # the worker again: nothing made twice
    assert services.reports_scheduled(now=monday_nine()) == []
    tasks.reports_scheduled.call()  # the worker's path, whatever the hour
    assert Report.objects.filter(district=north.district, kind="week").count() == 1


def test_before_monday_eight_last_week_is_not_due(north):
    orders_last_week(north, 1)
    early = monday_nine().replace(hour=7)
    made = services.reports_scheduled(now=early)
    assert not [r for r in made if r.kind == "week" and r.start == last_week().start]


def test_on_demand_is_idempotent_and_refuses_bad_periods(north):
    committee = north.people[Role.COMMITTEE]
    with pytest.raises(ValidationFailed) as info:  # nothing happened last week
        services.report_generate(actor=committee, district=north.district, period=last_week())
    assert info.value.code == "report_no_data"
    assert not Report.objects.exists()
    orders_last_week(north, 2)
    first, created = services.report_generate(actor=committee, district=north.district,
                                              period=last_week())
    again, created_again = services.report_generate(actor=committee, district=north.district,
                                                    period=last_week())
    assert created and not created_again and first.pk == again.pk
    assert AuditLog.objects.filter(action="dashboard.report.generate").count() == 1
    assert {f["key"]: f["value"] for f in first.figures}["workorders.total"] == 2
    # a report reads snapshots (frozen when it was made): rows moved into the week later
    # change the live figure, not the next report's
    orders_last_week(north, 1, weekday=2)
    module = selectors.indicator_get(key="workorders.total").module
    part, created = services.report_generate(actor=committee, district=north.district,
                                             period=last_week(), sections=[str(module)])
    assert created and {f["module"] for f in part.figures} == {str(module)}
    assert {f["key"]: f["value"] for f in part.figures}["workorders.total"] == 2
    with pytest.raises(ValidationFailed) as info:
        services.report_generate(actor=committee, district=north.district,
                                 period=Period.containing("week", timezone.localdate()))
    assert info.value.code == "period_not_closed"
    with pytest.raises(ValidationFailed) as info:
        services.report_generate(actor=committee, district=north.district,
                                 period=Period.containing("day", timezone.localdate()
                                                          - dt.timedelta(days=3)))
    assert info.value.code == "bad_period"
    with pytest.raises(ValidationFailed) as info:
        services.report_generate(actor=committee, district=north.district, period=last_week(),
                                 sections=["不存在的模块"])
    assert info.value.code == "unknown_section"


def test_role_limits_and_scoping(north, south, client):
    orders_last_week(north, 1)
    orders_last_week(south, 1)
    report, _ = services.report_generate(actor=north.people[Role.COMMITTEE],
                                         district=north.district, period=last_week())
    with pytest.raises(PermissionDenied):  # a department reads reports, never makes them
        services.report_generate(actor=north.people[Role.DEPARTMENT], district=north.district,
                                 period=last_week().previous())
    with pytest.raises(PermissionDenied):
        selectors.report_list(user=north.people[Role.MERCHANT], district=north.district)
    body, fmt, _r = services.report_download(actor=north.people[Role.DEPARTMENT],
                                             district=north.district, pk=report.pk, fmt="pdf")
    assert body.startswith(b"%PDF") and fmt == "pdf"
    with pytest.raises(NotFound):  # south's committee: north's report is no report of theirs
        services.report_download(actor=south.people[Role.COMMITTEE], district=south.district,
                                 pk=report.pk, fmt="pdf")
    # pages: download with a Chinese file name (RFC 5987), audited; others get 404/403
    client.force_login(north.people[Role.DEPARTMENT])
    r = client.get(f"/console/{north.district.code}/dashboard/reports/{report.pk}.xlsx")
    assert r.status_code == 200
    assert "filename*=utf-8''" in r["Content-Disposition"]
    assert AuditLog.objects.filter(action="dashboard.report.download",
                                   after__format="xlsx").exists()
    client.force_login(south.people[Role.COMMITTEE])
    assert client.get(f"/console/{south.district.code}/dashboard/reports/{report.pk}.pdf"
                      ).status_code == 404
    assert client.get(f"/console/{north.district.code}/dashboard/reports/{report.pk}.pdf"
                      ).status_code == 404
    client.force_login(north.people[Role.MERCHANT])
    assert client.get(f"/console/{north.district.code}/dashboard/reports/").status_code == 403


def test_street_report_over_its_districts(north, south):
    District.objects.filter(pk__in=[north.district.pk, south.district.pk]).update(street="测试街道")
    north.district.refresh_from_db()
    south.district.refresh_from_db()
    orders_last_week(north, 3)
    orders_last_week(south, 1)
    street = north.people[Role.STREET]
    core_services.membership_grant(actor=SYSTEM, district=south.district, user=street,
                                   role=Role.STREET, department=None)
    with pytest.raises(NotFound):  # north's committee does not oversee the whole street
        services.report_generate(actor=north.people[Role.COMMITTEE], street="测试街道",
                                 period=last_week())
    scheduled = services.reports_scheduled(now=monday_nine())  # the worker makes it too
    assert [r.street for r in scheduled if r.scope == ReportScope.STREET and r.kind == "week"
            ] == ["测试街道"]
    report, created = services.report_generate(actor=street, street="测试街道",
                                               period=last_week())
    assert not created  # the worker's one
    assert report.district is None and report.district_codes == ["NORTH", "SOUTH"]
    figures = {f["key"]: f for f in report.figures}
    assert figures["workorders.total"]["value"] == 4
    assert figures["workorders.total"]["by_district"] == [3, 1]
    book = load_workbook(io.BytesIO(bytes(report.xlsx)))
    head = [c.value for c in book.worksheets[1][1]]
    assert north.district.name in head and south.district.name in head
    # listed for the street in either district; not for a committee of one of them
    assert report in selectors.report_list(user=street, district=south.district)
    assert report not in selectors.report_list(user=north.people[Role.COMMITTEE],
                                               district=north.district)
    with pytest.raises(NotFound):
        services.report_download(actor=north.people[Role.COMMITTEE], district=north.district,
                                 pk=report.pk, fmt="xlsx")


def test_console_page_generates_and_lists(north, client):
    orders_last_week(north, 2)
    client.force_login(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/dashboard/reports/"
    r = client.get(url)
    assert r.status_code == 200 and "还没有报告" in r.content.decode()
    r = client.post(url, {"period": last_week().label, "scope": "district"})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "报告已生成" in html and last_week().label in html
    r = client.post(url, {"period": last_week().label, "scope": "district"}, follow=True)
    assert "未重复生成" in r.content.decode()
    assert Report.objects.count() == 1
    r = client.post(url, {"period": "2099-W01"})
    assert r.status_code == 422 and "尚未结束" in r.content.decode()
    r = client.post(url, {"action": "subscribe", "kind": "month", "on": "1"}, follow=True)
    assert "已订阅" in r.content.decode()


def test_year_report_scheduled_on_new_year_from_the_snapshots(
        north, client, django_capture_on_commit_callbacks):
    year = freeze_last_year(north, total=1200, satisfied=90, rated=100)
    committee = north.people[Role.COMMITTEE]
    services.subscription_set(actor=committee, district=north.district, kind="year", on=True)
    # before 08:00 on 1 January the closed year's report waits
    made = services.reports_scheduled(now=new_year(7))
    assert not [r for r in made if r.kind == "year" and r.start == year.start]
    with django_capture_on_commit_callbacks(execute=True):
        made = services.reports_scheduled(now=new_year(9))
    [report] = [r for r in made if r.kind == "year"]
    assert (report.scope, report.district, report.start, report.trigger) == (
        ReportScope.DISTRICT, north.district, year.start, ReportTrigger.SCHEDULED)
    assert report.title == f"{north.district.name} 年报 {year.label}"
    report = Report.objects.get(pk=report.pk)
    book = load_workbook(io.BytesIO(bytes(report.xlsx)))
    cells = {row[0]: row[2] for sheet in book.worksheets[1:]
             for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[str(selectors.indicator_get(key=TOTAL).label)] == 1200
    assert cells[str(selectors.indicator_get(key=SATISFACTION).label)] == 90
    text = "".join(pdf_text(bytes(report.pdf)).split())
    assert "".join(report.title.split()) in text and "工单总量（件）1200" in text
    # the year's subscriber got the link; nothing made twice, on demand neither
    [note] = Notification.objects.filter(user=committee, link__contains="/dashboard/reports/")
    assert note.title == report.title and f"/reports/{report.pk}.xlsx" in note.link
    assert services.reports_scheduled(now=new_year(10)) == []
    same, created = services.report_request(actor=committee, district=north.district,
                                            kind="year")
    assert same.pk == report.pk and not created
    with pytest.raises(ValidationFailed) as info:  # this year is not over yet
        services.report_request(actor=committee, district=north.district,
                                period=year.next().label)
    assert info.value.code == "period_not_closed"


def test_console_page_makes_a_year_report(north, client):
    year = freeze_last_year(north, total=12, satisfied=9, rated=10)
    client.force_login(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/dashboard/reports/"
    html = client.get(url).content.decode()
    assert f'<option value="{year.label}">年报</option>' in html  # offered in the field
    assert 'value="year"' in html  # and a subscription to the year's reports
    r = client.post(url, {"period": year.label, "scope": "district"})
    assert r.status_code == 302
    assert "报告已生成" in client.get(r["Location"]).content.decode()
    report = Report.objects.get(kind="year", start=year.start, district=north.district)
    assert {f["key"]: f["value"] for f in report.figures}[TOTAL] == 12
    r = client.post(url, {"period": year.next().label})
    assert r.status_code == 422 and "尚未结束" in r.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reports_page_in_chromium(live_server, browser, north, login_page, assert_accessible):
    """The committee makes last week's report on the page, downloads both files (the xlsx
    opens, the PDF's text has the figure), subscribes; axe finds nothing serious."""
    orders_last_week(north, 3)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMITTEE])
        page.goto(f"{live_server.url}/console/{north.district.code}/dashboard/reports/")
        assert page.input_value("#report-period") == last_week().label
        assert_accessible(page)
        page.click("#report-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "报告已生成" in page.locator("[role=status]").inner_text()
        row = page.locator("#report-table tbody tr").first
        assert last_week().label in row.inner_text()
        with page.expect_download() as info:
            row.get_by_role("link", name="xlsx").click()
        download = info.value
        assert download.suggested_filename == f"北街夜市_周报_{last_week().label}.xlsx"
        with open(download.path(), "rb") as fh:
            book = load_workbook(io.BytesIO(fh.read()))
        assert "概览" in book.sheetnames
        with page.expect_download() as info:
            row.get_by_role("link", name="PDF").click()
        with open(info.value.path(), "rb") as fh:
            assert "工单总量（件）3" in "".join(pdf_text(fh.read()).split())
        page.get_by_role("button", name="订阅").first.click()
        page.wait_for_load_state("networkidle")
        assert "已订阅" in page.locator("ul.plain").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert_accessible(page)
    finally:
        context.close()
