"""接诉即办 三率: response, resolution and satisfaction rates, overdue counts, composite.

Read from the per-day counters (KpiDaily) with aggregate SQL, so the cost depends on
days × departments/categories/grids, never on the number of orders.

- response rate    = accepted within the response limit ÷ dispatched
- resolution rate  = resolved (resolved or closed) ÷ dispatched
- satisfaction     = (满意 + 0.9 × 基本满意) ÷ rated, ratings marked unreasonable excluded
- composite        = 100 × (w_resp × response + w_resol × resolution + w_sat × satisfaction)
  with the district's weights (default 0.1 / 0.5 / 0.4) renormalised to sum 1.

Orders rejected or merged count in ``total`` only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from shangquan.core.models import Department, District
from shangquan.merchants.models import Grid

from .models import Category, KpiDaily
from .selectors import settings_get

BASIC_WEIGHT = 0.9
DIMENSIONS = ("department", "category", "grid")


@dataclass
class KpiRow:
    key: object
    label: str
    counts: dict = field(default_factory=dict)
    weights: tuple[float, float, float] = (0.1, 0.5, 0.4)

    def _c(self, name: str) -> int:
        return int(self.counts.get(name) or 0)

    @property
    def total(self) -> int:
        return self._c("total")

    @property
    def dispatched(self) -> int:
        return self._c("dispatched")

    @property
    def response_rate(self) -> float | None:
        return self._c("responded") / self.dispatched if self.dispatched else None

    @property
    def resolution_rate(self) -> float | None:
        return self._c("resolved") / self.dispatched if self.dispatched else None

    @property
    def rated(self) -> int:
        return self._c("rated")

    @property
    def satisfaction_rate(self) -> float | None:
        if not self.rated:
            return None
        return (self._c("satisfied") + BASIC_WEIGHT * self._c("basic")) / self.rated

    @property
    def excluded(self) -> int:
        return self._c("excluded")

    @property
    def overdue(self) -> int:
        return self._c("response_overdue") + self._c("resolution_overdue")

    @property
    def composite(self) -> float | None:
        parts = [(w, r) for w, r in zip(self.weights, (self.response_rate, self.resolution_rate,
                                                       self.satisfaction_rate), strict=True)
                 if r is not None and w > 0]
        weight = sum(w for w, _r in parts)
        if not weight:
            return None
        return 100 * sum(w * r for w, r in parts) / weight

    @staticmethod
    def _pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    @property
    def response_pct(self) -> str:
        return self._pct(self.response_rate)

    @property
    def resolution_pct(self) -> str:
        return self._pct(self.resolution_rate)

    @property
    def satisfaction_pct(self) -> str:
        return self._pct(self.satisfaction_rate)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **{n: self._c(n) for n in KpiDaily.COUNTERS},
                "response_rate": self.response_rate, "resolution_rate": self.resolution_rate,
                "satisfaction_rate": self.satisfaction_rate, "composite": self.composite,
                "overdue": self.overdue}


def _weights(district: District) -> tuple[float, float, float]:
    conf = settings_get(district=district)
    return (float(conf.weight_response), float(conf.weight_resolution),
            float(conf.weight_satisfaction))


def _sums() -> dict:
    return {name: Sum(name) for name in KpiDaily.COUNTERS}


def _labels(district: District, dim: str, keys: list[int]) -> dict[int, str]:
    model = {"department": Department, "category": Category, "grid": Grid}[dim]
    labels = dict(model.objects.filter(district=district, pk__in=keys).values_list("pk", "name"))
    labels[0] = {"department": _("未派单"), "category": "—", "grid": _("未划网格")}[dim]
    return labels


def kpi_totals(*, district: District, start: dt.date, end: dt.date,
               weights: tuple[float, float, float] | None = None) -> KpiRow:
    """The whole district over [start, end] (local days)."""
    counts = KpiDaily.objects.filter(district=district, dim="all", day__gte=start,
                                     day__lte=end).aggregate(**_sums())
    return KpiRow("all", "全部", counts, weights or _weights(district))


def kpi_by(*, district: District, dim: str, start: dt.date, end: dt.date,
           weights: tuple[float, float, float] | None = None) -> list[KpiRow]:
    """One row per department, category or grid, best composite first."""
    if dim not in DIMENSIONS:
        raise ValueError(dim)
    rows = list(KpiDaily.objects.filter(district=district, dim=dim, day__gte=start, day__lte=end)
                .values("key").annotate(**_sums()).order_by())
    # A bucket an order has moved out of keeps a row of zeros: not a row to show.
    rows = [r for r in rows if any(r[name] for name in KpiDaily.COUNTERS)]
    labels = _labels(district, dim, [r["key"] for r in rows])
    weights = weights or _weights(district)
    out = [KpiRow(r["key"], labels.get(r["key"], "?"), r, weights) for r in rows]
    return sorted(out, key=lambda r: (-(r.composite or -1), -r.total))


def kpi_by_period(*, district: District, start: dt.date, end: dt.date,
                  period: str = "month",
                  weights: tuple[float, float, float] | None = None) -> list[KpiRow]:
    trunc = {"month": TruncMonth, "week": TruncWeek}.get(period)
    qs = KpiDaily.objects.filter(district=district, dim="all", day__gte=start, day__lte=end)
    weights = weights or _weights(district)
    if trunc is None:
        rows = qs.values("day").annotate(**_sums()).order_by("day")
        return [KpiRow(r["day"], r["day"].isoformat(), r, weights) for r in rows]
    rows = qs.annotate(p=trunc("day")).values("p").annotate(**_sums()).order_by("p")
    out = []
    for r in rows:
        p = r["p"].date() if isinstance(r["p"], dt.datetime) else r["p"]
        label = f"{p:%Y-%m}" if period == "month" else f"{p:%m-%d}"
        out.append(KpiRow(p, label, r, weights))
    return out


def kpi_report(*, district: District, start: dt.date, end: dt.date, period: str = "month",
               dims: tuple[str, ...] = DIMENSIONS) -> dict:
    """Totals, the trend by period and the breakdowns asked for (all three for exports)."""
    weights = _weights(district)
    report = {
        "totals": kpi_totals(district=district, start=start, end=end, weights=weights),
        "by_period": kpi_by_period(district=district, start=start, end=end, period=period,
                                   weights=weights),
        "weights": weights,
    }
    for dim in DIMENSIONS:
        report[f"by_{dim}"] = (kpi_by(district=district, dim=dim, start=start, end=end,
                                      weights=weights) if dim in dims else [])
    return report
