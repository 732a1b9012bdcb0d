"""The reports API: list, on-demand reports for any closed period (the console page's code
path), one report, xlsx/PDF downloads with a Chinese file name (RFC 5987) and an audit
row; Idempotency-Key; role limits and district scoping; clear refusals, in Chinese or in
English; the PDF with its Chinese font embedded; the street's view and its refusals."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.models import AuditLog, District
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.core.tests.test_pdf_fonts import STANDARD, pdf_fonts, pdf_text
from shangquan.dashboard import selectors
from shangquan.dashboard.models import Report

from .test_reports import SATISFACTION, freeze_last_year
from .test_snapshots import last_week, orders_last_week

pytestmark = pytest.mark.django_db

TOTAL = "workorders.total"


def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}/dashboard"


def test_on_demand_report_through_the_api(north, api_client):
    orders_last_week(north, 3)
    client = api_client(north.people[Role.COMMITTEE])
    r = client.post(f"{base(north)}/reports", {"kind": "week", "period": last_week().label,
                                               "format": "pdf"},
                    headers={"Idempotency-Key": "report-1"})
    assert r.status_code == 201, r.json()
    made = r.json()
    assert made["created"] and made["period"] == last_week().label
    assert made["start"] == str(last_week().start) and made["end"] == str(last_week().last_day)
    assert made["download"] == made["files"]["pdf"]
    # a retry with the same key: the first answer again, no second report or audit row
    again = client.post(f"{base(north)}/reports", {"kind": "week", "period": last_week().label,
                                                   "format": "pdf"},
                        headers={"Idempotency-Key": "report-1"})
    assert again.status_code == 201 and again.json() == made
    # the same period without the key: the one report, 200, not made twice
    same = client.post(f"{base(north)}/reports", {"period": last_week().label})
    assert same.status_code == 200 and same.json()["id"] == made["id"]
    assert not same.json()["created"] and same.json()["download"].endswith(".xlsx")
    assert Report.objects.count() == 1
    assert AuditLog.objects.filter(action="dashboard.report.generate").count() == 1
    # listed, and one report with its figures (the KPI page's for that week)
    listed = client.get(f"{base(north)}/reports").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == made["id"]
    detail = client.get(f"{base(north)}/reports/{made['id']}").json()
    figures = {f["key"]: f for f in detail["figures"]}
    [page] = selectors.kpi_board(user=north.people[Role.COMMITTEE], district=north.district,
                                 period=last_week(), keys=[TOTAL])
    assert figures[TOTAL]["value"] == page.current.value == 3
    # the PDF: Chinese file name (RFC 5987), the font embedded, the figures in its text
    pdf = client.get(made["download"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    title = made["title"].replace(" ", "_")
    assert pdf["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(title)}.pdf")
    fonts = pdf_fonts(pdf.content)
    assert fonts and all(e for name, e in fonts.items() if name not in STANDARD), fonts
    assert any("CJK" in name for name, e in fonts.items() if e), fonts
    assert b"STSong-Light" not in pdf.content
    text = "".join(pdf_text(pdf.content).split())
    assert "".join(made["title"].split()) in text
    label = str(page.indicator.label)
    assert f"{label}（{page.indicator.unit}）3" in text
    # the xlsx: numbers as numbers, the same figure
    xlsx = client.get(made["files"]["xlsx"])
    assert xlsx.status_code == 200 and "filename*=utf-8''" in xlsx["Content-Disposition"]
    cells = {row[0]: row[2] for sheet in load_workbook(io.BytesIO(xlsx.content)).worksheets[1:]
             for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[label] == 3
    # each download is an audited export
    downloads = AuditLog.objects.filter(action="dashboard.report.download",
                                        object_id=str(made["id"]))
    assert sorted(downloads.values_list("after__format", flat=True)) == ["pdf", "xlsx"]


def test_sections_and_other_kinds(north, api_client):
    orders_last_week(north, 2)
    client = api_client(north.people[Role.COMMITTEE])
    module = str(selectors.indicator_get(key=TOTAL).module)
    r = client.post(f"{base(north)}/reports", {"period": last_week().label,
                                               "sections": [module]})
    assert r.status_code == 201, r.json()
    assert r.json()["sections"] == [module]
    detail = client.get(f"{base(north)}/reports/{r.json()['id']}").json()
    assert {f["module"] for f in detail["figures"]} == {module}
    # no period: the last closed one of the kind (here last month, maybe without data)
    month = Period.containing("month", selectors.today()).previous()
    r = client.post(f"{base(north)}/reports", {"kind": "month"})
    assert r.status_code in (201, 422), r.json()
    if r.status_code == 201:
        assert r.json()["period"] == month.label
    else:
        assert r.json()["code"] == "report_no_data" and month.label in r.json()["message"]


def test_bad_input_is_refused_clearly_in_chinese_or_english(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    url = f"{base(north)}/reports"

    def refused(payload, code, status=422, lang="zh-hans"):
        r = client.post(url, payload, headers={"Accept-Language": lang})
        assert r.status_code == status, r.json()
        body = r.json()
        assert body["code"] == code and body["message"], body
        return body["message"]

    # a period with no data says so: no empty file
    message = refused({"period": last_week().label}, "report_no_data")
    assert "没有任何数据" in message and last_week().label in message
    assert not Report.objects.exists()
    english = refused({"period": last_week().label}, "report_no_data", lang="en")
    assert "没有" not in english and last_week().label in english
    orders_last_week(north, 1)
    current = Period.containing("week", selectors.today())
    assert "尚未结束" in refused({"period": current.label}, "period_not_closed")
    assert "尚未结束" not in refused({"period": current.label}, "period_not_closed", lang="en")
    assert "没有这个报告内容" in refused({"period": last_week().label,
                                         "sections": ["不存在的模块"]}, "unknown_section")
    refused({"period": "2026-W99"}, "bad_period")
    refused({"period": "没有这种周期"}, "bad_period")
    refused({"kind": "month", "period": last_week().label}, "bad_period")  # not a month
    refused({"kind": "year"}, "report_no_data")  # last year's: nothing happened then
    this_year = Period.containing("year", selectors.today()).label
    assert "尚未结束" in refused({"kind": "year", "period": this_year}, "period_not_closed")
    refused({"kind": "year", "period": last_week().label}, "bad_period")  # not a year
    refused({"kind": "day"}, "validation_error")
    refused({"format": "docx", "period": last_week().label}, "validation_error")
    # a street report for a district that belongs to no street
    refused({"period": last_week().label, "scope": "street"}, "bad_scope")
    # unknown indicator, on the KPI values and the street's view
    r = client.get(f"{base(north)}/kpis", {"key": "nope.nothing"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_indicator"
    assert "nope.nothing" in r.json()["message"]
    r = client.get(f"{base(north)}/street", {"key": "nope.nothing"},
                   headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_indicator"
    assert "没有" not in r.json()["message"]
    assert Report.objects.count() == 0


def test_roles_and_district_scope(north, south, api_client):
    orders_last_week(north, 1)
    orders_last_week(south, 1)
    made = api_client(north.people[Role.COMMITTEE]).post(
        f"{base(north)}/reports", {"period": last_week().label}).json()
    theirs = api_client(south.people[Role.COMMITTEE]).post(
        f"{base(south)}/reports", {"period": last_week().label}).json()
    # a department reads and downloads, never makes
    department = api_client(north.people[Role.DEPARTMENT])
    assert department.get(f"{base(north)}/reports").json()["count"] == 1
    assert department.get(made["files"]["xlsx"]).status_code == 200
    r = department.post(f"{base(north)}/reports", {"period": last_week().previous().label})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    # a merchant reads none of it
    merchant = api_client(north.people[Role.MERCHANT])
    assert merchant.get(f"{base(north)}/reports").status_code == 403
    assert merchant.get(f"{base(north)}/reports/{made['id']}").status_code == 403
    assert merchant.get(made["files"]["pdf"]).status_code == 403
    # another district's report id through one's own district: 404, nothing audited
    committee = api_client(north.people[Role.COMMITTEE])
    for path in (f"{base(north)}/reports/{theirs['id']}",
                 f"{base(north)}/reports/{theirs['id']}.pdf",
                 f"{base(north)}/reports/{made['id']}.docx"):
        r = committee.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found", path
    # a district outside the caller's scope: 404 for every report path
    for path in (f"{base(south)}/reports", f"{base(south)}/reports/{theirs['id']}",
                 f"{base(south)}/reports/{theirs['id']}.xlsx"):
        assert committee.get(path).status_code == 404, path
    r = committee.post(f"{base(south)}/reports", {"period": last_week().label})
    assert r.status_code == 404 and r.json()["message"]
    # only the department's download was audited: refusals export nothing
    assert AuditLog.objects.filter(action="dashboard.report.download").count() == 1
    assert api_client(None).get(f"{base(north)}/reports").status_code == 401


def test_street_report_and_view_over_its_districts(north, south, api_client):
    District.objects.filter(pk__in=[north.district.pk, south.district.pk]).update(street="测试街道")
    orders_last_week(north, 3)
    orders_last_week(south, 1)
    street = north.people[Role.STREET]
    core_services.membership_grant(actor=SYSTEM, district=south.district, user=street,
                                   role=Role.STREET, department=None)
    # north's committee does not oversee the street: refused with a code and a message
    r = api_client(north.people[Role.COMMITTEE]).post(
        f"{base(north)}/reports", {"period": last_week().label, "scope": "street"})
    assert r.status_code == 404 and r.json()["code"] == "district_out_of_scope"
    assert "测试街道" in r.json()["message"]
    client = api_client(street)
    r = client.post(f"{base(north)}/reports", {"period": last_week().label, "scope": "street"})
    assert r.status_code == 201, r.json()
    made = r.json()
    assert made["scope"] == "street" and made["district"] is None
    assert made["district_codes"] == ["NORTH", "SOUTH"]
    figures = {f["key"]: f for f in client.get(f"{base(south)}/reports/{made['id']}").json()
               ["figures"]}
    assert figures[TOTAL]["value"] == 4 and figures[TOTAL]["by_district"] == [3, 1]
    # the street's view: both districts ranked, the total, the same figures
    view = client.get(f"{base(north)}/street", {"key": TOTAL, "period": last_week().label})
    assert view.status_code == 200, view.json()
    body = view.json()
    ranked = [("NORTH", 3), ("SOUTH", 1)]  # best first: the indicator's direction decides
    if selectors.indicator_get(key=TOTAL).direction != "up":
        ranked.reverse()
    assert [(row["code"], row["rank"], row["value"]) for row in body["rows"]] == [
        (c, i, v) for i, (c, v) in enumerate(ranked, 1)]
    assert body["total"]["value"] == 4
    one = client.get(f"{base(north)}/street", {"key": TOTAL, "period": last_week().label,
                                               "codes": "SOUTH"}).json()
    assert [row["code"] for row in one["rows"]] == ["SOUTH"]
    # a district outside the caller's scope: 404 with its code and a message
    r = api_client(north.people[Role.COMMITTEE]).get(
        f"{base(north)}/street", {"key": TOTAL, "period": last_week().label, "codes": "SOUTH"})
    assert r.status_code == 404 and r.json()["code"] == "district_out_of_scope"
    assert "SOUTH" in r.json()["message"]


def test_year_report_on_demand_from_the_snapshots(north, api_client):
    year = freeze_last_year(north, total=1200, satisfied=90, rated=100)
    client = api_client(north.people[Role.COMMITTEE])
    r = client.post(f"{base(north)}/reports", {"kind": "year"})  # the last closed year
    assert r.status_code == 201, r.json()
    made = r.json()
    assert (made["kind"], made["period"], made["start"], made["end"]) == (
        "year", year.label, str(year.start), str(year.last_day))
    assert "年报" in made["title"] and year.label in made["title"]
    xlsx = client.get(made["files"]["xlsx"])
    assert xlsx.status_code == 200
    cells = {row[0]: row[2] for sheet in load_workbook(io.BytesIO(xlsx.content)).worksheets[1:]
             for row in sheet.iter_rows(min_row=2, values_only=True)}
    # the frozen figures, not a live measure of the year (which has no orders)
    assert cells[str(selectors.indicator_get(key=TOTAL).label)] == 1200
    assert cells[str(selectors.indicator_get(key=SATISFACTION).label)] == 90
    # the same year by its label: the one report
    again = client.post(f"{base(north)}/reports", {"kind": "year", "period": year.label})
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    r = client.post(f"{base(north)}/reports", {"period": year.next().label})
    assert r.status_code == 422 and r.json()["code"] == "period_not_closed"
