"""Dashboard API under /api/v1/districts/{code}/dashboard/…"""

from __future__ import annotations

from typing import Any

from ninja import Path, Query, Router, Schema

from shangquan.core.selectors import access_district

from . import selectors

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
