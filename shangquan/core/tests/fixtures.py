"""Named personas in two districts (Zulip style), shared by every app's tests.

``north`` and ``south`` are two districts; ``people`` maps role -> user in north,
``south_people`` the same in south. Each app's tests build their own data on top.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from shangquan.core.roles import Role

from .factories import department_factory, district_factory, member_factory, token_for, user_factory


@pytest.fixture(scope="session", autouse=True)
def _test_flush_may_empty_the_audit_log():
    """Emptying a test database (transactional tests on SQLite) passes the audit log's
    DELETE trigger; nothing else does (``core.dbguard``)."""
    from django.db.backends.sqlite3.base import DatabaseOperations

    from shangquan.core.dbguard import audit_maintenance

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with audit_maintenance():
            return original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _test_clock():
    """``SHANGQUAN_TEST_CLOCK=2026-12-03T00:30+08:00`` runs the suite from that moment on
    (the clock ticks): tests that assume the hour they run at (an evening that began
    yesterday, a slot still bookable today) fail here instead of in a midnight CI run."""
    moment = os.environ.get("SHANGQUAN_TEST_CLOCK")
    if not moment:
        yield
        return
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages never leak from one test to the next."""
    from django.core.cache import cache

    from shangquan.core import pagecache

    cache.clear()
    pagecache.clear_all()
    yield
    cache.clear()
    pagecache.clear_all()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request, django_db_blocker):
    """The rate-limit counter is a table without a model (``core.ratelimit``), so a
    transactional test's flush leaves it: every live-server login from 127.0.0.1 would
    count towards the next tests' limit, and logins fail once a worker is fast enough."""
    yield
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server"))
    if not uses_db:
        return
    from django.db import connection

    from shangquan.core import ratelimit

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ratelimit.TABLE}")


@pytest.fixture(autouse=True)
def _chinese_unless_asked():
    """Every test starts in the default language: a test client's English request (or an
    ``activate("en")``) leaves the thread's language behind for the next test."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _live_listener_stopped():
    """A test that opened a live stream started this process's LISTEN (or Redis)
    subscriber: end it, so no connection outlives the test database."""
    yield
    from shangquan.core import live

    if live.hub().listening:
        live.hub().stop_listening()


@dataclass
class Persona:
    district: object
    people: dict  # role -> user
    department: object


def _persona(code: str, name: str) -> Persona:
    district = district_factory(code, name)
    department = department_factory(district)
    department_factory(district, "cgzf", "城管执法")
    people = {}
    for i, role in enumerate(Role):
        phone = f"1380{ord(code[0]) % 10}{i:06d}" if role == Role.RESIDENT else None
        people[str(role)] = member_factory(district, role, username=f"{code.lower()}-{role}",
                                           department=department if role == Role.DEPARTMENT
                                           else None, phone=phone)
    return Persona(district, people, department)


@pytest.fixture
def north(db) -> Persona:
    return _persona("NORTH", "北街夜市")


@pytest.fixture
def south(db) -> Persona:
    return _persona("SOUTH", "南门商圈")


@pytest.fixture
def city_admin(db):
    return user_factory("cityadmin", superuser=True)


class ApiClient(Client):
    """A Django test client that speaks JSON with a bearer token."""

    def __init__(self, token: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def get(self, path, data=None, headers=None, **extra):
        return super().get(path, data, headers=self._headers(headers), **extra)

    def post(self, path, data=None, content_type="application/json", headers=None, **extra):
        return super().post(path, data, content_type=content_type,
                            headers=self._headers(headers), **extra)

    def patch(self, path, data=None, content_type="application/json", headers=None, **extra):
        return super().patch(path, data, content_type=content_type,
                             headers=self._headers(headers), **extra)

    def delete(self, path, data=None, content_type="application/json", headers=None, **extra):
        return super().delete(path, data, content_type=content_type,
                              headers=self._headers(headers), **extra)


@pytest.fixture
def api_client():
    """``api_client(user)`` -> a JSON client authenticated as that user (or anonymous)."""

    def make(user=None) -> ApiClient:
        return ApiClient(token_for(user) if user is not None else None)

    return make


# --- browsers ---------------------------------------------------------------------
def chromium_path() -> str | None:
    for candidate in (os.environ.get("SHANGQUAN_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

AXE_JS = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"


def no_browser() -> None:
    """No Chromium: fail loudly (``make test`` installs it where it can), unless the
    browser tests were skipped on purpose with SHANGQUAN_SKIP_BROWSER_TESTS=1."""
    if os.environ.get("SHANGQUAN_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("SHANGQUAN_SKIP_BROWSER_TESTS=1: browser tests skipped on purpose")
    pytest.fail("Chromium not found: install Debian's chromium (`make test` does, as root: "
                "scripts/browser-deps.sh) or set SHANGQUAN_SKIP_BROWSER_TESTS=1 to skip "
                "the browser tests", pytrace=False)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API keeps its event loop running
    in the main thread while it is started, and Django's test client then refuses async
    views (``async_to_sync`` in a thread with a running loop): stopped after each module,
    it never reaches the tests of another file."""
    path = chromium_path()
    if path is None:
        no_browser()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser):
    """A 360 × 740 phone-sized page in Chinese."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  bypass_csp=True)  # lets axe-core be injected
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def axe_check(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations at the given impacts."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


@pytest.fixture
def assert_accessible():
    def check(page):
        violations = axe_check(page)
        assert not violations, f"axe found serious/critical violations on {page.url}: {violations}"

    return check


@pytest.fixture
def login_page():
    """``login_page(page, live_server, user)``: sign in through the real login form."""

    def do(page, live_server, user, password="test-pass-123"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return do
