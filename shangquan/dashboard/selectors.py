"""KPI values across modules: each app's indicators (``Contributions.indicators``) by
period, with the previous period and a staff-chosen baseline period.

Values of a closed period are cached (one computation shared by every viewer); the
current period is cached for ``LIVE_SECONDS`` so a screen full of viewers costs one
query set a minute, not one per viewer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangquan.core import policies
from shangquan.core.errors import NotFound, ValidationFailed
from shangquan.core.extensions import collect
from shangquan.core.indicators import MAX, RATIO, SUM, UP, Indicator, Measure
from shangquan.core.models import Department, District
from shangquan.core.periods import KINDS, Period

from .models import SNAPSHOT_KINDS, Report, ReportScope, ReportSubscription, Snapshot

LIVE_SECONDS = 60
CLOSED_SECONDS = 24 * 3600


def indicators() -> list[Indicator]:
    """Every installed app's indicators, in app order; an absent app contributes none."""
    out: list[Indicator] = []
    for group in collect("indicators"):
        out.extend(group)
    return out


def indicator_get(*, key: str) -> Indicator:
    for indicator in indicators():
        if indicator.key == key:
            return indicator
    raise NotFound(_("没有这个指标：%(key)s") % {"key": key}, code="unknown_indicator")


def period_parse(*, text: str, kind: str = "") -> Period:
    """A period from its label (``2026-W48`` …), or the current one of ``kind``."""
    if text:
        try:
            return Period.parse(text)
        except ValueError:
            raise ValidationFailed(_("无法识别的统计周期：%(p)s") % {"p": text},
                                   code="bad_period") from None
    if kind not in KINDS:
        raise ValidationFailed(_("统计周期类型应为日、周、月、季或年"), code="bad_period")
    return Period.containing(kind, timezone.localdate())


def measure_cache_key(district_id: int, key: str, period: Period) -> str:
    return f"dashboard:v1:{district_id}:{key}:{period.kind}:{period.start}"


def frozen_cache_key(district_id: int, period: Period) -> str:
    """A closed period's snapshots of one district, every indicator in one entry."""
    return f"dashboard:v1:{district_id}:frozen:{period.kind}:{period.start}"


def forget_cached(*, district_id: int, period: Period, keys: list[str]) -> None:
    """Drop cached values of a period (after its snapshots were written or corrected)."""
    cache.delete_many([frozen_cache_key(district_id, period),
                       *(measure_cache_key(district_id, k, period) for k in keys)])


def snapshot_values(*, district: District, period: Period) -> dict[str, Measure]:
    """A period's frozen values (``Snapshot``): the highest version of each indicator."""
    return snapshot_values_many(district_ids=[district.pk], period=period).get(district.pk, {})


def snapshot_values_many(*, district_ids: list[int],
                         period: Period) -> dict[int, dict[str, Measure]]:
    """``snapshot_values`` of several districts in one query: district id → values."""
    out: dict[int, dict[str, Measure]] = {}
    rows = Snapshot.objects.filter(district_id__in=district_ids, kind=period.kind,
                                   start=period.start)
    for did, key, v, num, den in rows.order_by("district_id", "indicator", "version"
                                               ).values_list("district_id", "indicator",
                                                             "value", "numerator",
                                                             "denominator"):
        out.setdefault(did, {})[key] = Measure(v, num, den)  # a later version wins
    return out


def _measures(indicator: Indicator, districts: list[District],
              period: Period) -> list[Measure]:
    """One indicator's value for each of ``districts`` (in their order), in as few
    queries whatever their number: a closed period reads its snapshots (one cache entry
    per district and period; for several districts one entry for them all, filled by one
    query), so history stays put when rows are edited later; what has no snapshot is
    measured and cached (``CLOSED_SECONDS`` once closed, else ``LIVE_SECONDS``), for
    several districts as one entry (the shared database cache culls beyond a few hundred
    entries: a hundred per indicator would evict each other)."""
    today = timezone.localdate()
    closed = period.is_closed(today)
    out: dict[int, Measure] = {}
    many = len(districts) > 1
    if period.kind in SNAPSHOT_KINDS and closed and many:
        for pk, frozen in _frozen_many(districts, period).items():
            hit = frozen.get(indicator.key)
            if hit is not None:
                out[pk] = Measure(*hit)
    elif period.kind in SNAPSHOT_KINDS and closed:
        markers = {d.pk: frozen_cache_key(d.pk, period) for d in districts}
        found = cache.get_many(list(markers.values()))
        unread = [pk for pk, marker in markers.items() if marker not in found]
        if unread:
            read = snapshot_values_many(district_ids=unread, period=period)
            fresh = {markers[pk]: {k: (m.value, m.numerator, m.denominator)
                                   for k, m in read.get(pk, {}).items()} for pk in unread}
            cache.set_many(fresh, CLOSED_SECONDS)
            found |= fresh
        for pk, marker in markers.items():
            hit = found[marker].get(indicator.key)
            if hit is not None:
                out[pk] = Measure(*hit)
    rest = [d for d in districts if d.pk not in out]
    if rest and many:
        # several districts (the street's view): one cache entry for the lot, so a hundred
        # districts cost one read, and no hundred entries crowd the shared cache
        batch = _batch_key(f"{indicator.key}:{period.kind}:{period.start}", rest)
        hit = cache.get(batch)
        if hit is None:
            measured = _measures_each(indicator, rest, period, store=False)
            hit = {pk: (m.value, m.numerator, m.denominator) for pk, m in measured.items()}
            cache.set(batch, hit, CLOSED_SECONDS if closed else LIVE_SECONDS)
        out |= {pk: Measure(*v) for pk, v in hit.items()}
    elif rest:
        out |= _measures_each(indicator, rest, period, store=True)
    return [out[d.pk] for d in districts]


def _batch_key(what: str, districts: list[District]) -> str:
    ids = ",".join(str(d.pk) for d in sorted(districts, key=lambda d: d.pk))
    return f"dashboard:v1:batch:{what}:{hashlib.sha1(ids.encode()).hexdigest()[:16]}"


def _frozen_many(districts: list[District], period: Period) -> dict[int, dict[str, tuple]]:
    """The snapshots of a closed period for several districts, cached as one entry whose
    key carries the snapshots' stamp (their number and highest id): snapshots are
    append-only, so a new row or a correction gives a new key and nothing stale is read."""
    ids = [d.pk for d in districts]
    stamp = Snapshot.objects.filter(district_id__in=ids, kind=period.kind,
                                    start=period.start).aggregate(n=Count("pk"), top=Max("pk"))
    key = _batch_key(f"frozen:{period.kind}:{period.start}:{stamp['n']}:{stamp['top']}",
                     districts)
    hit = cache.get(key)
    if hit is None:
        read = snapshot_values_many(district_ids=ids, period=period)
        hit = {pk: {k: (m.value, m.numerator, m.denominator) for k, m in read.get(pk, {}).items()}
               for pk in ids}
        cache.set(key, hit, CLOSED_SECONDS)
    return hit


def _measures_each(indicator: Indicator, districts: list[District], period: Period, *,
                   store: bool) -> dict[int, Measure]:
    """Per district: its cached value, else measured (and cached when ``store``)."""
    closed = period.is_closed(timezone.localdate())
    out: dict[int, Measure] = {}
    if districts:
        keys = {d.pk: measure_cache_key(d.pk, indicator.key, period) for d in districts}
        cached = cache.get_many(list(keys.values()))
        measured: dict[str, tuple] = {}
        for d in districts:
            hit = cached.get(keys[d.pk])
            if hit is not None:
                out[d.pk] = Measure(*hit)
                continue
            m = indicator.measure(d, period.start, period.end)
            out[d.pk] = m
            measured[keys[d.pk]] = (m.value, m.numerator, m.denominator)
        if measured and store:
            cache.set_many(measured, CLOSED_SECONDS if closed else LIVE_SECONDS)
    return out


def _measure(indicator: Indicator, district: District, period: Period) -> Measure:
    [measure] = _measures(indicator, [district], period)
    return measure


def combine(indicator: Indicator, measures: list[Measure]) -> Measure:
    """One value over several districts: counts add, rates are Σ num ÷ Σ den, peaks max."""
    if indicator.combine == RATIO:
        num = sum(m.numerator or 0 for m in measures)
        den = sum(m.denominator or 0 for m in measures)
        return Measure(indicator.scale * num / den if den else None, num, den)
    values = [m.value for m in measures if m.value is not None]
    if indicator.combine == MAX:
        return max((m for m in measures if m.value is not None), key=lambda m: m.value,
                   default=Measure(None))
    assert indicator.combine == SUM
    return Measure(sum(values) if values else None)


@dataclass
class Value:
    indicator: Indicator
    period: Period
    current: Measure
    previous: Measure
    baseline_period: Period | None = None
    baseline: Measure | None = None

    @staticmethod
    def _delta(now: float | None, then: float | None) -> float | None:
        return None if now is None or then is None else now - then

    @property
    def change(self) -> float | None:
        return self._delta(self.current.value, self.previous.value)

    @property
    def change_vs_baseline(self) -> float | None:
        return self._delta(self.current.value, self.baseline.value if self.baseline else None)

    def better(self, delta: float | None) -> bool | None:
        if delta is None or delta == 0:
            return None
        return (delta > 0) == (self.indicator.direction == UP)

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            "key": ind.key, "label": str(ind.label), "module": str(ind.module),
            "unit": str(ind.unit), "direction": ind.direction,
            "definition": str(ind.definition),
            "period": self.period.label, "value": self.current.value,
            "numerator": self.current.numerator, "denominator": self.current.denominator,
            "previous_period": self.period.previous().label, "previous": self.previous.value,
            "change": self.change,
            "baseline_period": self.baseline_period.label if self.baseline_period else None,
            "baseline": self.baseline.value if self.baseline else None,
            "change_vs_baseline": self.change_vs_baseline,
        }


def _check(indicator: Indicator, period: Period) -> None:
    if not period.finer_or_equal(indicator.period):
        raise ValidationFailed(
            _("指标“%(label)s”最细按%(kind)s统计") % {"label": indicator.label,
                                                    "kind": indicator.period},
            code="period_too_fine")


def value(*, indicator: Indicator, districts: list[District], period: Period,
          baseline: Period | None = None) -> Value:
    _check(indicator, period)

    def over(p: Period) -> Measure:
        return combine(indicator, _measures(indicator, districts, p))

    base = None
    if baseline is not None:
        if baseline.kind != period.kind:
            raise ValidationFailed(_("基准期应与统计周期同为日、周、月、季或年"),
                                   code="bad_baseline")
        base = over(baseline)
    return Value(indicator, period, over(period), over(period.previous()), baseline, base)


def kpi_board(*, user: Any, district: District, period: Period,
              baseline: Period | None = None, keys: list[str] | None = None) -> list[Value]:
    """Every indicator (or those named) for one district."""
    policies.require(user, "dashboard.view", district)
    chosen = [indicator_get(key=k) for k in keys] if keys else [
        i for i in indicators() if period.finer_or_equal(i.period)]
    return [value(indicator=i, districts=[district], period=period, baseline=baseline)
            for i in chosen]


def overseen_districts(*, user: Any) -> list[District]:
    """The districts where the user may read the dashboard (the street sees all its own)."""
    return [d for d in policies.visible_districts(user).order_by("code")
            if policies.can(user, "dashboard.view", d)]


STREET_KEY = "workorders.satisfaction_rate"  # the street's view ranks by it unless told


def street_view(*, user: Any, key: str, period: Period,
                codes: list[str] | None = None) -> dict[str, Any]:
    """One indicator side by side over the caller's districts, ranked, and the total."""
    indicator = indicator_get(key=key)
    _check(indicator, period)
    districts = overseen_districts(user=user)
    if codes:
        allowed = {d.code: d for d in districts}
        missing = [c for c in codes if c not in allowed]
        if missing:  # a district outside the caller's scope looks like none
            raise NotFound(_("没有您可查看的商圈：%(codes)s") % {"codes": "、".join(missing)},
                           code="district_out_of_scope")
        districts = [allowed[c] for c in codes]
    # each district's value and the previous period's: one batch each, not one per district
    current = _measures(indicator, districts, period)
    previous = _measures(indicator, districts, period.previous())
    rows = []
    for district, now, then in zip(districts, current, previous, strict=True):
        v = Value(indicator, period, now, then)
        rows.append({"code": district.code, "name": district.name, **v.as_dict()})
    ranked = sorted((r for r in rows if r["value"] is not None),
                    key=lambda r: r["value"], reverse=indicator.direction == UP)
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    total = (Value(indicator, period, combine(indicator, current),
                   combine(indicator, previous)) if districts else None)
    return {"indicator": indicator, "period": period, "rows": ranked + [
        r for r in rows if r["value"] is None], "total": total.as_dict() if total else None}


# --- a department's view across the districts it serves --------------------------------

BY_DEPARTMENT = "department"


@dataclass(frozen=True)
class Served:
    """A district where the user holds a department membership, and those departments
    (id, name), by name."""

    district: District
    departments: tuple[tuple[int, str], ...]


def served_districts(*, user: Any) -> list[Served]:
    """The active districts where the user is a department's member and may drill (the
    dashboard's roles), by code; a committee member or resident without a department
    membership serves none. One query for the departments' names (the memberships come
    with the request's policy checks)."""
    chosen = [d for d in dict.fromkeys(policies.member_districts(user))
              if d.is_active and policies.departments_of(user, d)
              and policies.can(user, "dashboard.drill", d)]
    if not chosen:
        return []
    wanted = {d.pk: policies.departments_of(user, d) for d in chosen}
    names: dict[int, list[tuple[int, str]]] = {}
    for pk, did, name in (Department.objects
                          .filter(district_id__in=list(wanted),
                                  pk__in={i for ids in wanted.values() for i in ids})
                          .order_by("name", "pk").values_list("pk", "district_id", "name")):
        if pk in wanted[did]:  # each department in its own district only
            names.setdefault(did, []).append((pk, name))
    return [Served(d, tuple(names[d.pk])) for d in sorted(chosen, key=lambda d: d.code)
            if names.get(d.pk)]


def department_indicators(*, period: Period) -> list[Indicator]:
    """The indicators that split by department and mean something for ``period``."""
    return [i for i in indicators() if BY_DEPARTMENT in i.dimensions and i.breakdown
            and period.finer_or_equal(i.period)]


def department_parts(*, indicators_: list[Indicator], districts: list[District],
                     period: Period) -> dict[tuple[int, str], dict[int, Measure]]:
    """Each (district id, indicator key)'s breakdown by department (part key → measure),
    cached like a value (``CLOSED_SECONDS`` once the period is over, else
    ``LIVE_SECONDS``) and shared by every department of the district: the filtering to a
    viewer's own departments happens after, never in the entry."""
    closed = period.is_closed(timezone.localdate())
    keys = {(d.pk, i.key): f"dashboard:v1:{d.pk}:parts:{BY_DEPARTMENT}:{i.key}:"
                           f"{period.kind}:{period.start}"
            for d in districts for i in indicators_}
    found = cache.get_many(list(keys.values()))
    fresh: dict[str, dict[int, tuple]] = {}
    out: dict[tuple[int, str], dict[int, Measure]] = {}
    for district in districts:
        for indicator in indicators_:
            key = keys[(district.pk, indicator.key)]
            hit = found.get(key)
            if hit is None:
                parts = indicator.breakdown(district, period.start, period.end,  # type: ignore[misc]
                                            BY_DEPARTMENT)
                hit = {p.key: (p.measure.value, p.measure.numerator, p.measure.denominator)
                       for p in parts}
                fresh[key] = hit
            out[(district.pk, indicator.key)] = {k: Measure(*v) for k, v in hit.items()}
    if fresh:
        cache.set_many(fresh, CLOSED_SECONDS if closed else LIVE_SECONDS)
    return out


@dataclass(frozen=True)
class DepartmentCell:
    district: District
    department_id: int
    department: str
    measure: Measure
    has_part: bool  # the department has a part in the breakdown (else: nothing counted)
    drill: str  # the drill-down page of that district, by department (and this part)


@dataclass(frozen=True)
class DepartmentRow:
    indicator: Indicator
    cells: list[DepartmentCell]
    total: Measure  # over the cells: counts add, rates Σ num ÷ Σ den, peaks the highest


@dataclass(frozen=True)
class DepartmentView:
    period: Period
    served: list[Served]  # the districts shown (all, or those asked for)
    rows: list[DepartmentRow]
    every: list[Served]  # every district the user serves as a department

    @property
    def columns(self) -> list[tuple[District, int, str]]:
        return [(s.district, pk, name) for s in self.served for pk, name in s.departments]


def drill_url(*, district: District, indicator: Indicator, period: Period,
              part: int | None = None) -> str:
    """The drill-down page of one district's indicator, by department (and one part)."""
    query = {"period": period.label, "by": BY_DEPARTMENT}
    if part is not None:
        query["part"] = str(part)
    return (reverse("dashboard:drill", kwargs={"code": district.code, "key": indicator.key})
            + "?" + urlencode(query))


def department_view(*, user: Any, district: District, period: Period,
                    codes: list[str] | None = None) -> DepartmentView:
    """The indicators that split by department, for each district where the user holds a
    department membership (``codes``: some of them; another district's code is a 404
    like an unknown one), limited to the user's own departments' parts, and the total
    over them (Σ numerators ÷ Σ denominators for rates, never a mean of rates).
    ``district`` is the page's (the caller must read its dashboard)."""
    policies.require(user, "dashboard.view", district)
    served = every = served_districts(user=user)
    if codes:
        allowed = {s.district.code: s for s in every}
        wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
        missing = [c for c in wanted if c not in allowed]
        if missing:
            raise NotFound(_("没有您可查看的商圈：%(codes)s") % {"codes": "、".join(missing)},
                           code="district_out_of_scope")
        served = [allowed[c] for c in wanted]
    chosen = department_indicators(period=period)
    parts = department_parts(indicators_=chosen, districts=[s.district for s in served],
                             period=period)
    rows = []
    for indicator in chosen:
        cells = []
        for s in served:
            found = parts[(s.district.pk, indicator.key)]
            for pk, name in s.departments:
                measure = found.get(pk)
                # no part: nothing was counted for that department (a count of none is 0)
                cells.append(DepartmentCell(
                    s.district, pk, name,
                    measure or (Measure(0) if indicator.combine == SUM else Measure(None)),
                    measure is not None,
                    drill_url(district=s.district, indicator=indicator, period=period,
                              part=pk if measure is not None else None)))
        rows.append(DepartmentRow(indicator, cells,
                                  combine(indicator, [c.measure for c in cells])))
    return DepartmentView(period, served, rows, every)


def today() -> dt.date:
    return timezone.localdate()


# --- reports --------------------------------------------------------------------------

REPORT_KIND_NAMES = {"week": gettext_lazy("周报"), "month": gettext_lazy("月报"),
                     "quarter": gettext_lazy("季报"), "year": gettext_lazy("年报")}


def report_modules() -> list[str]:
    """The report's selectable sections: one per module with indicators, in app order."""
    return list(dict.fromkeys(str(i.module) or "—" for i in indicators()))


@dataclass
class ReportRow:
    key: str
    label: str
    unit: str
    direction: str
    definition: str
    value: float | None
    previous: float | None
    denominator: float | None
    by_district: list[float | None]

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


@dataclass
class ReportData:
    """What a report shows, read from the snapshots (live values never enter a report:
    its period is closed). No personal data: figures per module and district only."""

    title: str
    name: str  # the district's or the street's name
    period: Period
    districts: list[tuple[str, str]]  # (code, name)
    sections: list[tuple[str, list[ReportRow]]]  # (module, rows)
    generated_at: dt.datetime

    @property
    def has_data(self) -> bool:
        return any(r.value is not None and (r.value != 0 or r.denominator)
                   for _m, rows in self.sections for r in rows)

    def figures(self) -> list[dict[str, Any]]:
        return [{"module": m, "key": r.key, "label": r.label, "unit": r.unit,
                 "value": r.value, "previous": r.previous, "change": r.change,
                 "by_district": r.by_district}
                for m, rows in self.sections for r in rows]


def period_text(period: Period) -> str:
    return f"{period.label}（{period.start:%Y-%m-%d} 至 {period.last_day:%Y-%m-%d}）"


def report_data(*, districts: list[District], period: Period, sections: list[str] | None = None,
                street: str = "") -> ReportData:
    """The figures of a report for one district or a street's districts (Σnum ÷ Σden)."""
    chosen = set(sections) if sections else None
    grouped: dict[str, list[ReportRow]] = {}
    for indicator in indicators():
        module = str(indicator.module) or "—"
        if chosen is not None and module not in chosen:
            continue
        if not period.finer_or_equal(indicator.period):
            continue
        v = value(indicator=indicator, districts=districts, period=period)
        per = ([m.value for m in _measures(indicator, districts, period)]
               if len(districts) > 1 else [])
        grouped.setdefault(module, []).append(ReportRow(
            key=indicator.key, label=str(indicator.label), unit=str(indicator.unit),
            direction=indicator.direction, definition=str(indicator.definition),
            value=v.current.value, previous=v.previous.value,
            denominator=v.current.denominator, by_district=per))
    name = street or districts[0].name
    return ReportData(
        title=f"{name} {REPORT_KIND_NAMES.get(period.kind, '')} {period.label}",
        name=name, period=period, districts=[(d.code, d.name) for d in districts],
        sections=list(grouped.items()), generated_at=timezone.localtime())


def _reports_visible(*, user: Any, district: District):
    """A district's reports, and its street's when the caller reads every district in it."""
    overseen = {d.code for d in overseen_districts(user=user)}
    qs = Report.objects.defer("xlsx", "pdf")
    streets = Q(pk__in=[])
    if district.street:
        for r in (Report.objects.filter(scope=ReportScope.STREET, street=district.street)
                  .values("pk", "district_codes")):
            if district.code in r["district_codes"] and set(r["district_codes"]) <= overseen:
                streets |= Q(pk=r["pk"])
    return qs.filter(Q(scope=ReportScope.DISTRICT, district=district) | streets)


def report_queryset(*, user: Any, district: District):
    """The reports the caller may read in this district, newest first (without files)."""
    policies.require(user, "dashboard.report_view", district)
    return _reports_visible(user=user, district=district).order_by("-start", "kind", "pk")


def report_list(*, user: Any, district: District) -> list[Any]:
    return list(report_queryset(user=user, district=district))


def report_get(*, user: Any, district: District, pk: int, files: bool = True) -> Any:
    """One report the caller may read in this district (its files too unless ``files``
    is False); another district's, or a street's the caller does not read, is NotFound."""
    policies.require(user, "dashboard.report_view", district)
    visible = _reports_visible(user=user, district=district).values_list("pk", flat=True)
    qs = Report.objects.select_related("district")
    if not files:
        qs = qs.defer("xlsx", "pdf")
    try:
        return qs.get(pk=pk, pk__in=visible)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def subscribed_kinds(*, user: Any, district: District) -> set[str]:
    return set(ReportSubscription.objects.filter(district=district, user=user)
               .values_list("kind", flat=True))


def snapshot_versions(*, user: Any, district: District, key: str,
                      period: Period) -> list[Snapshot]:
    """Every version of one indicator's snapshot for a period, oldest first."""
    policies.require(user, "dashboard.view", district)
    indicator_get(key=key)
    return list(Snapshot.objects.filter(district=district, indicator=key, kind=period.kind,
                                        start=period.start)
                .select_related("created_by").order_by("version"))
