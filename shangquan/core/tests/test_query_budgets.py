"""Query budgets: every GET endpoint of the API, for every persona, within a budget.

The endpoints are discovered from the URL resolver (``api_get_routes`` in the policies
matrix), so a new app's endpoints are measured as soon as it mounts its routers: each
needs to fit :data:`DEFAULT_BUDGET`, or an explicit entry below that says why not.

Three properties, on a district seeded with ≥ 30 rows where it matters:
- every persona of both districts stays within the endpoint's budget (404s and 403s too);
- a list's query count does not depend on its page size (``limit=5`` vs ``limit=50``)
  nor on how many rows the district holds (the same calls before and after the seed
  doubles): no N+1;
- reads never write: no INSERT/UPDATE/DELETE while answering a GET.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shangquan.core.roles import Role

from .test_policies_matrix import api_get_routes

pytestmark = pytest.mark.django_db

# A list or detail endpoint answers within this many queries, whatever the page size.
# Auth (token, memberships) and the district look-up take 3–4 of them.
DEFAULT_BUDGET = 12

# Endpoints that truly need more, with the reason. Keep each one explained.
BUDGETS: dict[str, int] = {
    # A fixed set of aggregates (pass rates by period and grid, certificates, re-weighs):
    # one query each, none per row.
    "/api/v1/districts/{code}/scales/kpis": 14,
    # Campaign progress: counts per phase (before/after), findings, rectifications and
    # follow-ups, one aggregate each; the report adds its rows (three queries).
    "/api/v1/districts/{code}/campaigns/{campaign_id}": 17,
    "/api/v1/districts/{code}/campaigns/{campaign_id}/report.{fmt}": 20,
    # The first call of the day builds and stores the day's plan (see WRITES_ALLOWED);
    # later calls read it in 6 queries.
    "/api/v1/districts/{code}/scales/plan": 20,
    # Every app's indicators, each one aggregate for the period and one for the previous
    # period, when the shared cache is cold; later viewers read the cache. Grows with the
    # number of indicators (18 with ratings' and stations'), never with the rows.
    "/api/v1/districts/{code}/dashboard/kpis": 48,
    # A department's own parts across its districts: each indicator that splits by
    # department, one breakdown each (work orders: the counters and the departments'
    # names) per district served, kept in the shared cache for every department of the
    # district; grows with those indicators and districts, never with the rows.
    "/api/v1/districts/{code}/dashboard/departments": 26,
}

# GET endpoints not measured here, with the reason. Nothing is skipped silently: the
# test fails on a discovered endpoint that is neither measured nor listed here.
NOT_COVERED: dict[str, str] = {
}

# GETs that may write, with the one table they may insert into and the reason.
# Everything else must only read.
_EXPORT = "an export writes its audit row: who exported what, how many rows"
WRITES_ALLOWED: dict[str, tuple[str, str]] = {
    "/api/v1/districts/{code}/scales/plan": (
        "scales_dailyplan|core_auditlog", "stores the day's spot-check plan the first time it is asked "
        "for, so the plan stays the same all day (the periodic job normally has already)"),
    "/api/v1/districts/{code}/merchants.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/scales/instruments.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/campaigns/{campaign_id}/report.{fmt}": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/deliberation/surveys/{survey_id}/responses.xlsx": (
        "core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/points/ledger.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/stations/bookings.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/stations/loans.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/stations/faults.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/stations/room-bookings.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/stations/parking.xlsx": ("core_auditlog", _EXPORT),
    "/api/v1/districts/{code}/dashboard/reports/{report_id}.{fmt}": ("core_auditlog", _EXPORT),
}

# List endpoints seeded with too few rows for the page-size check to mean anything.
THIN_LISTS: dict[str, str] = {
    "/api/v1/districts/{code}/points/redemptions": "the caller's own redemptions; the "
    "committee redeems none (points.redeem is for residents, riders and merchants)",
    "/api/v1/districts/{code}/dashboard/reports": "one report per closed period (and choice "
    "of sections): the seed makes last week's; its queries are per page, not per row",
}

# Query parameters an endpoint needs to answer 200 (else it would measure a 422).
QUERY: dict[str, dict] = {
    "/api/v1/districts/{code}/scales/mpe": {"load_g": "1000", "e_g": "5"},
    "/api/v1/public/workorders/{code}/nearby": {"category": "oil_fume", "latitude": 41.1192,
                                                "longitude": 121.1477},
    "/api/v1/districts/{code}/dashboard/street": {"key": "workorders.total"},
}

# Where an id comes from when the route's own prefix is not its list.
ID_LISTS = {"merchant_id": "/api/v1/districts/{code}/merchants"}

CODE = "{code}"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


# --- seeding ------------------------------------------------------------------------
SIDE = 8  # rows of the smaller kinds (grids, gates, escalations …): more than limit=5

@dataclass
class Seed:
    """Ids the generic look-up (first item of the list) cannot give."""

    ids: dict[str, object] = field(default_factory=dict)


def _seed(persona, n: int, tag: str) -> Seed:
    """``n`` rows of each kind in the persona's district, through the services.

    ``tag`` keeps names unique when a district is seeded twice.
    """
    from shangquan.core import services as core_services
    from shangquan.crowd import services as crowd_services
    from shangquan.crowd.tests.factories import gate_factory, reading, zone_factory
    from shangquan.inspections.services import checklists, inspections, rectifications
    from shangquan.inspections.services.campaigns import campaign_create
    from shangquan.merchants import jobs, rosters
    from shangquan.merchants import services as merchant_services
    from shangquan.merchants.tests.factories import grid_factory, merchant_factory
    from shangquan.org import services as org_services
    from shangquan.org.tests.factories import party_member_factory, station_factory, unit_factory
    from shangquan.scales import services as scale_services
    from shangquan.scales.tests.factories import instrument_factory
    from shangquan.workorders import services as wo_services
    from shangquan.workorders.tests.factories import advance, order_factory

    district, people = persona.district, persona.people
    committee = people[Role.COMMITTEE]
    seed = Seed()
    today = timezone.localdate()

    # core: devices (memberships and departments come with the personas)
    for i in range(3):
        core_services.device_create(actor=committee, district=district,
                                    name=f"终端{tag}{i}", kind="kiosk")

    # org: units, members, stations, agreements, check-ins
    units = [unit_factory(district, name=f"支部{tag}{i}") for i in range(max(3, n // 3))]
    for i in range(n):
        party_member_factory(district, unit=units[i % len(units)], name=f"党员{tag}{i}")
    stations = [station_factory(district, name=f"联络站{tag}{i}", unit=units[i % len(units)])
                for i in range(3)]
    for i in range(SIDE):
        org_services.agreement_create(actor=committee, district=district,
                                      title=f"共建协议{tag}{i}", unit_a=units[i],
                                      unit_b=units[(i + 1) % len(units)], starts_on=today)
    for i in range(n):
        org_services.check_in(request=None, station=stations[i % 3], name=f"流动党员{i}",
                              phone=f"139{hash(tag) % 1000:03d}{i:05d}", home_unit="外地支部")

    # merchants: grids, associations, merchants (some owned), a roster, an import job
    grids = [grid_factory(district, name=f"网格{tag}{i}", leader=people[Role.GRID_LEADER])
             for i in range(SIDE)]
    associations = [merchant_services.association_create(
        actor=committee, district=district, name=f"商会{tag}{i}") for i in range(2)]
    merchants = []
    for i in range(n):
        merchants.append(merchant_factory(
            district, grid=grids[i % SIDE], association=associations[i % 2],
            latitude=Decimal("41.1192") + Decimal(i) / 100000, longitude=Decimal("121.1477"),
            phone=f"1370000{i:04d}", owner=people[Role.MERCHANT] if i == 0 else None))
    for grid in [None, *grids]:
        rosters.roster_generate(actor=committee, district=district, title=f"排班{tag}",
                                starts_on=today, ends_on=today + dt.timedelta(days=6),
                                grid=grid)
    seed.ids["fmt"] = "xlsx"
    seed.ids["job_id"] = jobs.import_job_create(actor=committee, district=district,
                                                filename="m.xlsx", data=b"not a workbook").pk
    seed.ids["token"] = merchants[0].public_token

    # work orders: n reports on the same few merchants and spots, so the waiting ones
    # have earlier live orders nearby (merge candidates); some walked through the loop
    orders = []
    for i in range(n):
        orders.append(order_factory(
            persona, merchant=merchants[i % 3], latitude=merchants[i % 3].latitude,
            longitude=merchants[i % 3].longitude, description=f"油烟扰民{tag}{i}，请处理"))
    for order in orders[:n // 3]:
        advance(persona, order, "resolved")
    for order in orders[n // 3:n // 3 + SIDE]:
        advance(persona, order, "dispatched")
        wo_services.work_order_escalate(actor=committee, district=district, order=order,
                                        note="超时未响应")
    seed.ids["order_id"] = orders[-1].pk
    seed.ids["number"] = orders[-1].number

    # inspections: templates, inspections, rectifications, a campaign
    templates = [checklists.checklist_template_create(
        actor=committee, district=district, code=f"t{tag.lower()}{i}", name=f"检查表{tag}{i}",
        items=[{"code": f"i{k}", "text": f"检查项{k}"} for k in range(4)])
        for i in range(max(10, n // 3))]
    for i in range(n // 3):
        inspections.inspection_plan(actor=committee, district=district,
                                    templates=templates[:2], planned_for=today,
                                    merchant=merchants[i],
                                    inspectors=[people[Role.DEPARTMENT]],
                                    departments=[persona.department])
    for i in range(n // 3):
        rectifications.rectification_issue(
            actor=people[Role.DEPARTMENT], district=district, merchant=merchants[i],
            title=f"整改{tag}{i}", severity="general", source="inspection")
    campaign_create(actor=committee, district=district, name=f"国庆专项{tag}", holiday="国庆",
                    prep_start=today, start=today + dt.timedelta(days=3),
                    end=today + dt.timedelta(days=9), review_end=today + dt.timedelta(days=15),
                    grids=grids, templates=templates[:2])

    # scales: instruments, checks, re-weighs
    instruments = [instrument_factory(district, merchants[i], serial_no=f"YS{tag}{i:04d}",
                                      certificate_no=f"JD{tag}{i:04d}", actor=committee)
                   for i in range(n)]
    for instrument in instruments[:n // 3]:
        scale_services.spot_check_record(actor=people[Role.DEPARTMENT], district=district,
                                         instrument=instrument, load_g="1000",
                                         indications=["1000", "1000", "1005"])
    for i in range(n // 3):
        scale_services.reweigh_record(actor=people[Role.DEPARTMENT], district=district,
                                      merchant=merchants[i], goods="苹果", band="standard", claimed_g="1000",
                                      measured_g="990" if i % 2 else "1000")

    # crowd: zones with gates and readings that raise alerts
    start = timezone.now() - dt.timedelta(minutes=30)
    zones = [zone_factory(district, name=f"区域{tag}{i}", reset_at=start - dt.timedelta(hours=1))
             for i in range(max(SIDE, n // 3))]
    for k, zone in enumerate(zones[:SIDE]):
        gate, _raw = gate_factory(district, zone, code=f"G{tag}{k}")
        crowd_services.readings_ingest(
            device=gate.device, gate=gate,
            readings=[reading(s, start + dt.timedelta(seconds=s), 30, 1) for s in range(1, 8)])

    # ratings: a published period with results, flags, an appeal, titles, outdoor checks
    from shangquan.ratings.tests.factories import ratings_budget_seed
    ratings_budget_seed(persona, n, tag)

    # Later apps seed their own rows: ``budget_seed(persona, n, tag, ids)`` in their
    # ``tests/factories.py`` (points, activities …), so this file need not know them.
    for config in django_apps.get_app_configs():
        name = f"{config.name}.tests.factories"
        if config.name.startswith("shangquan.") and importlib.util.find_spec(name):
            budget_seed = getattr(importlib.import_module(name), "budget_seed", None)
            if budget_seed is not None:
                budget_seed(persona, n, tag, seed.ids)
    return seed


@pytest.fixture
def seeded(north, south):
    seed = _seed(north, 30, "A")
    return north, south, seed


# --- discovery ----------------------------------------------------------------------
def _measured_routes() -> tuple[list[str], list[str]]:
    """(list routes, detail routes): district GETs with {code} only / one more id, and
    the public GETs."""
    lists, details = [], []
    for route, params in api_get_routes():
        if route in NOT_COVERED:
            continue
        if not (route.startswith("/api/v1/districts/{code}/") or route.startswith("/api/v1/public/")):
            continue
        if params == ("code",):
            lists.append(route)
        elif params[:1] == ("code",) or params == ("token",):
            details.append(route)  # its ids: the first item of its list, or the seed's
        else:
            raise AssertionError(f"{route}: measure it or list it in NOT_COVERED with a reason")
    return lists, details


def _items(body):
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def _url(route: str, persona, ids: dict) -> str | None:
    url = route.replace(CODE, persona.district.code)
    for name in re.findall(r"\{(\w+)\}", url):
        if name not in ids:
            return None
        url = url.replace(f"{{{name}}}", str(ids[name]))
    return url


def _detail_ids(client, route: str, persona, seed: Seed) -> dict:
    """Ids for a detail route: the seed's, else the first item of its list route."""
    ids = {}
    for name in re.findall(r"\{(\w+)\}", route.replace(CODE, "")):
        if name in seed.ids:
            ids[name] = seed.ids[name]
            continue
        if name in PARAM_VALUES:
            continue  # filled in by _urls, one url per value
        list_route = ID_LISTS.get(name, route.split(f"/{{{name}}}")[0])
        response = client.get(list_route.replace(CODE, persona.district.code), {"limit": 1})
        items = _items(response.json()) if response.status_code == 200 else []
        if items and "id" in items[0]:
            ids[name] = items[0]["id"]
    return ids


@dataclass
class Measured:
    status: int
    queries: int
    writes: list[str]
    rows: int
    paginated: bool


def _measure(client, url: str, **params) -> Measured:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or None)
    writes = [q["sql"] for q in ctx.captured_queries if WRITE.match(q["sql"])]
    body = response.json() if response.get("Content-Type", "").startswith(
        "application/json") else None
    return Measured(response.status_code, len(ctx.captured_queries), writes,
                    len(_items(body)), isinstance(body, dict) and "limit" in body)


def _clients(api_client, north, south):
    """Every persona of both districts, signed in (the token's first use is spent)."""
    out = []
    for persona in (north, south):
        for role, user in persona.people.items():
            client = api_client(user)
            client.get("/api/v1/me")  # token bookkeeping happens once per 5 min
            out.append((f"{persona.district.code}:{role}", client))
    anonymous = api_client(None)
    out.append(("anonymous", anonymous))
    return out


def _settings_apps() -> list[str]:
    from shangquan.core.district_settings import groups

    return sorted(groups())


# Path parameters that name one of a few things rather than a row: every value is measured.
PARAM_VALUES = {"app": _settings_apps}


def _urls(api_client, north, seed) -> list[tuple[str, str]]:
    """(route, url) for every measured route; a route with a PARAM_VALUES parameter
    appears once per value."""
    lists, details = _measured_routes()
    committee = api_client(north.people[Role.COMMITTEE])
    out = [(route, route.replace(CODE, north.district.code)) for route in lists]
    for route in details:
        names = re.findall(r"\{(\w+)\}", route.replace(CODE, ""))
        expand = [n for n in names if n in PARAM_VALUES]
        values = PARAM_VALUES[expand[0]]() if expand else [None]
        assert values, f"{route}: no values for {expand}"
        for value in values:
            ids = _detail_ids(committee, route, north, seed)
            if expand:
                ids[expand[0]] = value
            url = _url(route, north, ids)
            assert url is not None, f"{route}: no id for it; add one to the seed or NOT_COVERED"
            out.append((route, url))
    return out


# --- the tests ----------------------------------------------------------------------
def test_discovery_finds_the_known_endpoints():
    lists, details = _measured_routes()
    for route in ("/api/v1/districts/{code}/merchants",
                  "/api/v1/districts/{code}/inspections/templates",
                  "/api/v1/districts/{code}/workorders",
                  "/api/v1/public/workorders/{code}/categories"):
        assert route in lists, route
    for route in ("/api/v1/districts/{code}/merchants/{merchant_id}",
                  "/api/v1/districts/{code}/workorders/{order_id}/duplicates",
                  "/api/v1/public/merchants/{token}"):
        assert route in details, route
    listed = set(BUDGETS) | set(WRITES_ALLOWED) | set(THIN_LISTS)
    stale = listed - set(lists) - set(details)
    assert not stale, f"exceptions for endpoints that no longer exist: {stale}"


def test_every_get_endpoint_within_its_budget_for_every_persona(seeded, api_client):
    north, south, seed = seeded
    urls = _urls(api_client, north, seed)
    over, writes, answered = [], [], 0
    for who, client in _clients(api_client, north, south):
        for route, url in urls:
            budget = BUDGETS.get(route, DEFAULT_BUDGET)
            m = _measure(client, url, **QUERY.get(route, {}))
            answered += m.status == 200
            if m.queries > budget:
                over.append(f"{who} {url}: {m.queries} queries > {budget} ({m.status})")
            table = WRITES_ALLOWED.get(route, ("", ""))[0]
            for sql in m.writes:
                if not (table and re.match(rf'\s*INSERT INTO "?({table})"?\s', sql, re.I)):
                    writes.append(f"{who} {url}: {sql[:120]}")
    assert answered > len(urls), "the personas should reach most endpoints"
    assert not over, "over budget:\n" + "\n".join(over)
    assert not writes, "reads that write:\n" + "\n".join(writes)


def test_list_queries_do_not_depend_on_page_size(seeded, api_client):
    north, _south, _seed_ids = seeded
    lists, _details = _measured_routes()
    client = api_client(north.people[Role.COMMITTEE])
    client.get("/api/v1/me")
    differ, thin = [], []
    for route in lists:
        url = route.replace(CODE, north.district.code)
        _measure(client, url, **QUERY.get(route, {}))  # one-time work (the day's plan)
        small = _measure(client, url, **QUERY.get(route, {}), limit=5)
        large = _measure(client, url, **QUERY.get(route, {}), limit=50)
        assert small.status == large.status == 200, (route, small.status, large.status)
        # Unpaged lists answer all rows whatever the limit: the growth test covers them.
        if large.paginated and large.rows <= 5 and route not in THIN_LISTS:
            thin.append(f"{route}: {large.rows} rows")
        if abs(large.queries - small.queries) > 1:
            differ.append(f"{route}: limit=5 {small.queries}, limit=50 {large.queries}")
    assert not differ, "query count grows with the page:\n" + "\n".join(differ)
    assert not thin, ("lists with too few seeded rows (seed more or list them in "
                      "THIN_LISTS):\n" + "\n".join(thin))


def test_queries_do_not_depend_on_how_many_rows_there_are(seeded, api_client):
    """The same calls before and after the district's data doubles: the same counts."""
    north, _south, seed = seeded
    urls = _urls(api_client, north, seed)
    client = api_client(north.people[Role.COMMITTEE])
    client.get("/api/v1/me")
    for route, url in urls:  # one-time work (the day's plan) is not what we count
        _measure(client, url, **QUERY.get(route, {}))
    before = {url: _measure(client, url, **QUERY.get(route, {})) for route, url in urls}
    _seed(north, 30, "B")
    grew = []
    for route, url in urls:
        after = _measure(client, url, **QUERY.get(route, {}))
        if after.queries > before[url].queries + 1:
            grew.append(f"{url}: {before[url].queries} -> {after.queries}")
    assert not grew, "queries grow with the data:\n" + "\n".join(grew)


# --- console pages ------------------------------------------------------------------
# The console's list pages (``/console/<code>/…/`` with no other parameter), signed in
# as the committee: the page's own reads plus the frame, three queries (session, user,
# memberships with their districts; the menu is built once per process and the unread
# count only on the console home): core/tests/test_navigation.py holds the frame to it.
PAGE_BUDGET = 18

PAGE_BUDGETS: dict[str, int] = {
    # The console home: every app's cards, one or two aggregates each (cached 30 s);
    # twelve apps contribute cards now.
    "console/{code}/": 40,
    # The KPI table: the API's indicators (see BUDGETS) plus the frame.
    "console/{code}/dashboard/kpis/": 54,
    # The 数据大屏 with every cache cold (the shared cache and the panels kept in the
    # process): ten live tiles and yesterday's, 13 closed days of two trend lines, the
    # month's rates, the crowd board, the map's grids, stations, zones and today's orders
    # (~76; 39 of them one SUM of the work-order counters per tile and day). Grows with
    # the panels, never with the rows; a panel within its interval costs none.
    "console/{code}/dashboard/screen/": 80,
}

# Console paths not measured as pages, with the reason.
PAGES_NOT_COVERED: dict[str, str] = {
    "console/{code}/crowd/stream/": "server-sent events: the response never ends",
    "console/{code}/dashboard/screen/stream/": "server-sent events (the screen's stream)",
    "console/{code}/merchants/posters.pdf": "a download (PDF of every poster), not a page",
    "console/{code}/merchants/export.xlsx": "a download; the API export is measured above",
    "console/{code}/merchants/import/template.xlsx": "a static download",
    "console/{code}/scales/export.xlsx": "a download; the API export is measured above",
    "console/{code}/workorders/kpi.xlsx": "a download of the KPI page's figures",
    "console/{code}/scales/import/": "POST only (the upload form lives on the list page)",
    "console/{code}/ratings/awards/ceremony.pdf": "POST only: a batch award's PDF download",
    "console/{code}/workorders/stream/": "server-sent events (the dispatch board's stream)",
}


def console_list_pages() -> list[str]:
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    out = set()
    for route in walk(get_resolver().url_patterns):
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if route.startswith("console/{code}/") and re.findall(r"\{(\w+)\}", route) == ["code"]:
            out.add(route)
    return sorted(out - set(PAGES_NOT_COVERED))


def _page_queries(client, url: str) -> tuple[int, int]:
    from django.core.cache import cache

    from shangquan.core import pagecache

    cache.clear()  # cached home cards would make the second call cheaper
    pagecache.clear_all()  # and the screen's panels, kept in the process for their interval
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def test_console_list_pages_within_budget_and_flat_in_the_data(seeded):
    from django.test import Client

    north, _south, _seed_ids = seeded
    pages = console_list_pages()
    assert "console/{code}/merchants/" in pages and "console/{code}/workorders/merge/" in pages
    assert "console/{code}/inspections/templates/" in pages
    client = Client()
    client.force_login(north.people[Role.COMMITTEE])
    urls = {page: "/" + page.replace(CODE, north.district.code) for page in pages}
    for url in urls.values():  # one-time work (the day's plan) is not what we count
        _page_queries(client, url)
    before = {page: _page_queries(client, url) for page, url in urls.items()}
    assert all(status == 200 for status, _n in before.values()), before
    over = [f"{page}: {n} queries > {PAGE_BUDGETS.get(page, PAGE_BUDGET)} ({status})"
            for page, (status, n) in before.items() if n > PAGE_BUDGETS.get(page, PAGE_BUDGET)]
    _seed(north, 30, "B")
    grew = []
    for page, url in urls.items():
        status, n = _page_queries(client, url)
        if n > before[page][1] + 1:
            grew.append(f"{page}: {before[page][1]} -> {n} ({status})")
    assert not over, "console pages over budget:\n" + "\n".join(over)
    assert not grew, "console pages whose queries grow with the data:\n" + "\n".join(grew)
