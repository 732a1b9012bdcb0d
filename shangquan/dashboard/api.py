"""Dashboard API under /api/v1/districts/{code}/dashboard/…: indicators, KPI values, the
street's view over districts, a department's view across the districts it serves, and
reports (list, on demand, detail, xlsx/PDF download).

Errors are the core format ``{code, message, details}`` (mapped in one place,
``core.apibase``); creating POSTs honour ``Idempotency-Key`` (``core.idempotency``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from shangquan.core import policies
from shangquan.core.apibase import XLSX, Id, Rows, file_download, paginate
from shangquan.core.exports import PDF
from shangquan.core.periods import Period
from shangquan.core.selectors import access_district

from . import reports_render, selectors, services

FORMATS = ("xlsx", "pdf")

router = Router(tags=["dashboard"])
PathStr = Path[str]


class IndicatorOut(Schema):
    key: str
    label: str
    module: str
    definition: str
    unit: str
    direction: str
    period: str
    scope: str


class ValueOut(Schema):
    key: str
    label: str
    module: str
    unit: str
    direction: str
    definition: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    previous_period: str
    previous: float | None
    change: float | None
    baseline_period: str | None
    baseline: float | None
    change_vs_baseline: float | None


@router.get("/dashboard/indicators", response=list[IndicatorOut])
def indicator_list(request: Any, code: PathStr) -> list[dict]:
    access_district(user=request.auth, code=code)
    return [{"key": i.key, "label": str(i.label), "module": str(i.module),
             "definition": str(i.definition), "unit": str(i.unit), "direction": i.direction,
             "period": i.period, "scope": i.scope}
            for i in selectors.indicators()]


@router.get("/dashboard/kpis", response=list[ValueOut])
def kpi_values(request: Any, code: PathStr, period: Query[str] = "", kind: Query[str] = "month",
               baseline: Query[str] = "", key: Query[str] = "") -> list[dict]:
    """Values for ``period`` (``2026-W48``, ``2026-11``, ``2026Q4`` …; default the current
    period of ``kind``) with the previous period and an optional baseline period."""
    district = access_district(user=request.auth, code=code)
    p = selectors.period_parse(text=period, kind=kind)
    base = selectors.period_parse(text=baseline) if baseline else None
    keys = [k for k in key.split(",") if k] or None
    return [v.as_dict() for v in selectors.kpi_board(user=request.auth, district=district,
                                                     period=p, baseline=base, keys=keys)]


# --- the street's view ------------------------------------------------------------------


class StreetRowOut(Schema):
    code: str
    name: str
    rank: int | None = None
    value: float | None
    numerator: float | None
    denominator: float | None
    previous: float | None
    change: float | None


class StreetOut(Schema):
    key: str
    label: str
    unit: str
    direction: str
    period: str
    rows: list[StreetRowOut]
    total: ValueOut | None


@router.get("/dashboard/street", response=StreetOut)
def street(request: Any, code: PathStr, key: Query[str] = selectors.STREET_KEY,
           period: Query[str] = "",
           kind: Query[str] = "month", codes: Query[str] = "") -> dict:
    """One indicator side by side over the districts the caller oversees (``codes``: some
    of them), ranked, and their total (Σ numerators ÷ Σ denominators for rates); by default
    the satisfaction rate of the current month."""
    district = access_district(user=request.auth, code=code)
    policies.require(request.auth, "dashboard.view", district)
    view = selectors.street_view(user=request.auth, key=key,
                                 period=selectors.period_parse(text=period, kind=kind),
                                 codes=[c for c in codes.split(",") if c] or None)
    ind = view["indicator"]
    return {"key": ind.key, "label": str(ind.label), "unit": str(ind.unit),
            "direction": ind.direction, "period": view["period"].label,
            "rows": view["rows"], "total": view["total"]}


# --- a department's view across the districts it serves ------------------------------


class DepartmentViewColumnOut(Schema):
    code: str
    name: str
    department_id: int
    department: str


class DepartmentViewCellOut(Schema):
    code: str
    department_id: int
    value: float | None
    numerator: float | None
    denominator: float | None
    drill: str  # the console's drill-down page of that district, by department


class DepartmentViewTotalOut(Schema):
    value: float | None
    numerator: float | None
    denominator: float | None


class DepartmentViewRowOut(Schema):
    key: str
    label: str
    module: str
    unit: str
    direction: str
    combine: str
    cells: list[DepartmentViewCellOut]
    total: DepartmentViewTotalOut


class DepartmentViewOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    columns: list[DepartmentViewColumnOut]
    rows: list[DepartmentViewRowOut]


def _measure_row(m: Any) -> dict[str, Any]:
    return {"value": m.value, "numerator": m.numerator, "denominator": m.denominator}


@router.get("/dashboard/departments", response=DepartmentViewOut)
def department_view(request: Any, code: PathStr, period: Query[str] = "",
                    kind: Query[str] = "month", codes: Query[str] = "") -> dict:
    """The caller's own departments' indicators (those that split by department) in each
    district where the caller holds a department membership (``codes``: some of them;
    another district's code: 404 ``district_out_of_scope``), with the total across them
    (rates as Σ numerators ÷ Σ denominators); by default the current month. A member
    without a department membership gets no columns."""
    district = access_district(user=request.auth, code=code)
    view = selectors.department_view(
        user=request.auth, district=district,
        period=selectors.period_parse(text=period, kind=kind),
        codes=[c for c in codes.split(",") if c] or None)
    return {"period": view.period.label, "start": view.period.start,
            "end": view.period.last_day,
            "columns": [{"code": d.code, "name": d.name, "department_id": pk,
                         "department": name} for d, pk, name in view.columns],
            "rows": [{"key": r.indicator.key, "label": str(r.indicator.label),
                      "module": str(r.indicator.module), "unit": str(r.indicator.unit),
                      "direction": r.indicator.direction, "combine": r.indicator.combine,
                      "cells": [{"code": c.district.code, "department_id": c.department_id,
                                 "drill": c.drill, **_measure_row(c.measure)}
                                for c in r.cells],
                      "total": _measure_row(r.total)} for r in view.rows]}


# --- reports ------------------------------------------------------------------------------


class ReportRequestIn(Schema):
    """An on-demand report: ``period`` a closed period's label (``2026-W48``, ``2026-11``,
    ``2026Q3``, ``2025``) or empty for the last closed one of ``kind`` (default a week);
    ``kind``, when given with a ``period``, must be that period's; ``sections`` some
    modules (empty: all); ``scope`` ``street`` for the district's street over its
    districts."""

    kind: Literal["week", "month", "quarter", "year"] | None = None
    period: str = Field("", max_length=20)
    sections: list[str] = Field(default_factory=list, max_length=50)
    scope: Literal["district", "street"] = "district"
    format: Literal["xlsx", "pdf"] = "xlsx"


class ReportFigureOut(Schema):
    module: str
    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    change: float | None
    by_district: list[float | None]


class ReportOut(Schema):
    id: int
    title: str
    scope: str
    district: str | None
    street: str
    district_codes: list[str]
    kind: str
    period: str
    start: dt.date
    end: dt.date
    sections: list[str]
    trigger: str
    created_at: dt.datetime
    files: dict[str, str]


class ReportDetailOut(ReportOut):
    figures: list[ReportFigureOut]


class ReportMadeOut(ReportOut):
    created: bool
    download: str


def _report_row(report: Any, code: str, *, figures: bool = False) -> dict[str, Any]:
    period = Period(report.kind, report.start)
    base = f"/api/v1/districts/{code}/dashboard/reports/{report.pk}"
    row = {"id": report.pk, "title": report.title, "scope": report.scope,
           "district": report.district.code if report.district_id else None,
           "street": report.street, "district_codes": report.district_codes,
           "kind": report.kind, "period": period.label, "start": period.start,
           "end": period.last_day,
           "sections": [s for s in report.sections.split(",") if s],
           "trigger": report.trigger, "created_at": report.created_at,
           "files": {fmt: f"{base}.{fmt}" for fmt in FORMATS}}
    if figures:
        row["figures"] = report.figures
    return row


@router.get("/dashboard/reports", response=list[ReportOut])
@paginate
def report_list(request: Any, code: PathStr) -> Rows:
    """The district's reports, and its street's that the caller may read, newest first."""
    district = access_district(user=request.auth, code=code)
    return Rows(selectors.report_queryset(user=request.auth, district=district)
                .select_related("district"), lambda r: _report_row(r, district.code))


@router.post("/dashboard/reports", response={200: ReportMadeOut, 201: ReportMadeOut})
def report_create(request: Any, code: PathStr, payload: ReportRequestIn) -> Status:
    """Make (or find) the report of a closed period: the same code path as the console's
    reports page. 201 when made now, 200 when that period's report already existed."""
    district = access_district(user=request.auth, code=code)
    report, created = services.report_request(
        actor=request.auth, district=district, kind=payload.kind, period=payload.period,
        sections=payload.sections, street=payload.scope == "street")
    row = _report_row(report, district.code)
    return Status(201 if created else 200, {**row, "created": created,
                                            "download": row["files"][payload.format]})


@router.get("/dashboard/reports/{int:report_id}", response=ReportDetailOut)
def report_detail(request: Any, code: PathStr, report_id: Id) -> dict:
    district = access_district(user=request.auth, code=code)
    report = selectors.report_get(user=request.auth, district=district, pk=report_id,
                                  files=False)
    return _report_row(report, district.code, figures=True)


@router.get("/dashboard/reports/{int:report_id}.{fmt}",
            openapi_extra=file_download(XLSX, PDF))
def report_file(request: Any, code: PathStr, report_id: Id, fmt: str) -> HttpResponse:
    """The report's xlsx or PDF, its Chinese title as the file name (RFC 5987
    ``filename*``); every download is audited as an export."""
    district = access_district(user=request.auth, code=code)
    body, fmt, report = services.report_download(actor=request.auth, district=district,
                                                 pk=report_id, fmt=fmt)
    return reports_render.download_response(body, fmt, report.title)
