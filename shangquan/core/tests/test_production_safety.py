"""Issue 11 §3, production safety: the demo stays out of production, one limiter behind
every login path (admin included), trusted proxies, atomic counters (database and
Redis), rate-limited public intake, CSRF on every cookie-authenticated API write, and an
audit log the app itself cannot delete."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from shangquan.core import ratelimit
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.errors import RateLimited
from shangquan.core.models import AuditLog, District
from shangquan.core.roles import Role
from shangquan.workorders.models import WorkOrder

from .factories import PASSWORD, token_for, user_factory
from .fixtures import ApiClient

ROOT = Path(__file__).resolve().parents[3]
User = get_user_model()


# --- the demo never loads in production unless asked ------------------------------------
@pytest.mark.django_db
def test_setup_in_production_loads_no_demo(settings, tmp_path):
    settings.PRODUCTION = True
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert not District.objects.exists()
    assert not User.objects.filter(username="admin").exists()
    assert "--demo" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_command_refuses_production_without_its_flag(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo", stdout=io.StringIO())
    assert not District.objects.exists()


# --- one limiter for every login path -------------------------------------------------------
def _wrong_logins(n: int, username: str) -> None:
    api, form, admin = Client(), Client(), Client()
    for i in range(n):
        which = i % 3
        data = {"username": username, "password": "wrong-password"}
        if which == 0:
            api.post("/api/v1/auth/token", data, content_type="application/json")
        elif which == 1:
            form.post("/login/", data)
        else:
            admin.post("/admin/login/", {**data, "next": "/admin/"})


@pytest.mark.django_db
def test_admin_login_is_rate_limited(settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "LOGIN_RATE": (10, 300)}
    user_factory("boss", superuser=True)
    admin = Client()
    for _ in range(15):
        admin.post("/admin/login/", {"username": "boss", "password": "nope", "next": "/admin/"})
    right = admin.post("/admin/login/", {"username": "boss", "password": PASSWORD,
                                         "next": "/admin/"})
    assert right.status_code == 429
    assert "_auth_user_id" not in admin.session
    assert admin.get("/admin/").status_code == 302  # still the login page


@pytest.mark.django_db
def test_every_login_path_counts_against_the_same_limit(settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "LOGIN_RATE": (10, 300)}
    user_factory("clerk")
    _wrong_logins(12, "clerk")  # spread over the API, the console form and the admin
    token = Client().post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD},
                          content_type="application/json")
    assert token.status_code == 429, token.content
    form = Client()
    assert form.post("/login/", {"username": "clerk", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in form.session


# --- the client address behind trusted proxies -------------------------------------------
def test_client_ip_is_the_peer_unless_the_peer_is_a_trusted_proxy(settings, rf):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 10.1.2.3")
    assert ratelimit.client_ip(behind) == "203.0.113.9"  # the rightmost untrusted hop
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_ip(direct) == "198.51.100.7"  # a spoofed header is ignored
    settings.TRUSTED_PROXIES = []
    assert ratelimit.client_ip(behind) == "127.0.0.1"


@pytest.mark.django_db
def test_clients_behind_the_proxy_have_their_own_login_limit(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SHANGQUAN = {**settings.SHANGQUAN, "LOGIN_RATE": (2, 300)}  # 6 per address
    user_factory("guard")

    def login(address: str, name: str):
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address).post(
            "/api/v1/auth/token", {"username": name, "password": "x"},
            content_type="application/json")

    codes = [login("203.0.113.5", f"nobody{i}").status_code for i in range(8)]
    assert codes[-1] == 429 and codes[0] == 401
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6").post(
        "/api/v1/auth/token", {"username": "guard", "password": PASSWORD},
        content_type="application/json")
    assert other.status_code == 200, other.content


# --- the counter is atomic --------------------------------------------------------------------
def _server_database() -> bool:
    return connection.vendor != "sqlite"


# One window for the whole race, so it never straddles a window's end (an hour's turn).
WINDOW = 10**9
COUNTER = textwrap.dedent(f"""
    import django, sys
    WINDOW = {WINDOW}
    django.setup()
    from shangquan.core import ratelimit
    from shangquan.core.errors import RateLimited
    ok = 0
    for _ in range(50):
        try:
            ratelimit.hit("race", limit=100, window=WINDOW)
            ok += 1
        except RateLimited:
            pass
    print(ok)
""")


def _race_in_processes(tmp_path: Path) -> tuple[int, int]:
    """Four processes, 50 hits each, on one SQLite file (the database cache of a laptop
    set-up without Redis: not the tests' in-memory cache)."""
    db = tmp_path / "counter.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHANGQUAN_")}
    env.update({"SHANGQUAN_DATABASE_URL": f"sqlite:///{db}", "SHANGQUAN_ENV": "development",
                "DJANGO_SETTINGS_MODULE": "shangquan.settings"})
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env,
                   check=True)
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    passed = 0
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err[-2000:]
        passed += int(out.strip())
    total = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); import time;"
         "from shangquan.core import ratelimit;"
         f"slot = int(time.time() // {WINDOW});"
         "print(ratelimit._count(f'rl:race:{slot}', 60) - 1)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()
    return passed, int(total)


def _race_in_threads(bucket: str) -> tuple[int, int]:
    passed: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker():
        ok = 0
        try:
            barrier.wait()
            for _ in range(25):
                try:
                    ratelimit.hit(bucket, limit=100, window=WINDOW)
                    ok += 1
                except RateLimited:
                    pass
        except BaseException as exc:  # a thread's error must fail the test, not vanish
            errors.append(exc)
        finally:
            passed.append(ok)
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    try:
        ratelimit.hit(bucket, limit=10**9, window=WINDOW)
        total = ratelimit.hit(bucket, limit=10**9, window=WINDOW) - 2
    finally:
        ratelimit.reset(bucket, window=WINDOW)
    return sum(passed), total


@pytest.mark.django_db(transaction=True)
def test_the_database_counter_is_atomic_under_concurrency(tmp_path):
    if _server_database():
        passed, total = _race_in_threads(f"race-{uuid.uuid4().hex}")
    else:
        passed, total = _race_in_processes(tmp_path)
    assert total == 200  # no increment lost
    assert passed == 100  # exactly the limit got through, however they interleaved


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_the_counter_is_redis_when_configured(settings):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    bucket = f"race-{uuid.uuid4().hex}"
    passed, total = _race_in_threads(bucket)
    assert (passed, total) == (100, 200)
    ratelimit.hit(bucket, limit=10, window=60)
    keys = redis.Redis.from_url(settings.REDIS_URL).keys(f"rl:{bucket}:*")
    assert keys, "the count lives in Redis"
    assert redis.Redis.from_url(settings.REDIS_URL).ttl(keys[0]) > 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ratelimit.TABLE} WHERE bucket LIKE %s",
                       [f"rl:{bucket}:%"])
        assert cursor.fetchone()[0] == 0


# --- public report intake -------------------------------------------------------------------
@pytest.mark.django_db
def test_a_burst_of_anonymous_reports_is_refused(north, settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "REPORT_RATE": (10, 600)}
    anon = Client()
    url = f"/api/v1/public/workorders/{north.district.code}/reports"
    codes = [anon.post(url, {"category": "oil_fume", "description": f"油烟太大了{i}"},
                       content_type="application/json").status_code for i in range(40)]
    assert codes.count(201) == 10 and codes[10:] == [429] * 30
    assert WorkOrder.objects.filter(district=north.district).count() == 10
    page = anon.post(f"/d/{north.district.code}/report/",
                     {"category": "oil_fume", "description": "油烟太大了", "anonymous": "1",
                      "confirm_duplicate": "1"})
    assert page.status_code == 429
    assert WorkOrder.objects.filter(district=north.district).count() == 10


# --- CSRF on cookie-authenticated API writes --------------------------------------------------
def _report(code: str) -> str:
    return f"/api/v1/public/workorders/{code}/reports"


@pytest.mark.django_db
def test_a_cross_site_text_plain_post_files_nothing_as_the_signed_in_user(north):
    resident = north.people[Role.RESIDENT]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    body = json.dumps({"category": "oil_fume", "description": "别的网站替我提交的"})
    r = browser.post(_report(north.district.code), body, content_type="text/plain",
                     HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = browser.post(_report(north.district.code), body, content_type="text/plain")
    assert r.status_code == 403  # no Origin, no token: refused too
    assert not WorkOrder.objects.filter(reporter=resident).exists()
    # our own page's call carries the token and goes through
    browser.get("/login/")
    token = browser.cookies["csrftoken"].value
    r = browser.post(_report(north.district.code), body, content_type="application/json",
                     HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201, r.content
    assert WorkOrder.objects.filter(reporter=resident).count() == 1


@pytest.mark.django_db
def test_bearer_clients_and_anonymous_visitors_need_no_csrf_token(north, api_client):
    body = {"category": "oil_fume", "description": "令牌客户端提交"}
    assert api_client(north.people[Role.RESIDENT]).post(
        _report(north.district.code), body).status_code == 201
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(_report(north.district.code), json.dumps(body),
                          content_type="application/json").status_code == 201


def _write_operations():
    from shangquan.api import api

    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("post", "put", "patch", "delete") and op.get("security"):
                yield method, path


@pytest.mark.django_db
def test_every_cookie_authenticated_api_write_refuses_a_post_without_csrf(north):
    """The class, not the instance: each write operation of the API, posted with a
    superuser's session cookie and no token, is refused before it runs."""
    boss = user_factory("csrf-boss", superuser=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(boss)
    before = AuditLog.objects.count()
    checked = 0
    for method, path in _write_operations():
        url = re.sub(r"\{[^}]+\}", "1", path.replace("{code}", north.district.code))
        response = getattr(browser, method)(url, "{}", content_type="text/plain",
                                            HTTP_ORIGIN="https://evil.example")
        assert response.status_code in (401, 403), (method, url, response.status_code)
        if response.status_code == 403:
            assert response.json()["code"] == "csrf_failed", (method, url, response.content)
        checked += 1
    assert checked > 50
    assert AuditLog.objects.count() == before


# --- the audit log cannot be deleted by the app's own connection --------------------------
@pytest.mark.django_db
def test_the_database_refuses_to_delete_audit_rows(north):
    row = audit_record(actor=SYSTEM, district=north.district, action="core.user.create",
                       object_type="test", object_id="keep-me")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.filter(pk=row.pk).exists()


# --- PostgreSQL: the app runs as a least-privilege role -------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_app_runs_as_a_least_privilege_role_that_cannot_touch_the_audit_log(north):
    if connection.vendor != "postgresql":
        pytest.skip("roles are PostgreSQL's; SQLite's guard is the trigger test above")
    role = f"sq_app_{connection.settings_dict['NAME']}"[:63]
    owner = connection.settings_dict["USER"]
    committee = north.people[Role.COMMITTEE]
    raw_token = token_for(committee)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    call_command("db-grants", role, stdout=io.StringIO())
    connection.close()
    connection.settings_dict["USER"] = role
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == role
        # the app works: a write with its audit row, a public report, a password login
        api = ApiClient(raw_token)
        r = api.post(f"/api/v1/districts/{north.district.code}/departments",
                     {"code": "xf", "name": "消防救援"})
        assert r.status_code == 201, r.content
        r = Client().post(_report(north.district.code),
                          {"category": "oil_fume", "description": "油烟很大很大"},
                          content_type="application/json")
        assert r.status_code == 201, r.content
        r = Client().post("/api/v1/auth/token", {"username": committee.username,
                                                 "password": PASSWORD},
                          content_type="application/json")
        assert r.status_code == 200, r.content
        assert AuditLog.objects.filter(action="core.department.create").exists()
        # and cannot bypass the audit log
        for sql in ("ALTER TABLE core_auditlog DISABLE TRIGGER ALL",
                    "TRUNCATE core_auditlog",
                    "DELETE FROM core_auditlog",
                    "UPDATE core_auditlog SET action = 'x'",
                    "DROP TRIGGER core_auditlog_no_change ON core_auditlog"):
            with pytest.raises(DatabaseError, match="(?i)permission denied|must be owner"), \
                    transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    finally:
        connection.close()
        connection.settings_dict["USER"] = owner
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


@pytest.mark.django_db
def test_idempotency_keys_do_not_reset_the_login_count(settings):
    """A request with an Idempotency-Key runs in one transaction: its failed attempt must
    still count (or a fresh key per guess would roll every count back)."""
    settings.SHANGQUAN = {**settings.SHANGQUAN, "LOGIN_RATE": (10, 300)}
    user_factory("keyed")
    api = Client()
    for i in range(15):
        api.post("/api/v1/auth/token", {"username": "keyed", "password": "wrong"},
                 content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"guess-{i}")
    right = api.post("/api/v1/auth/token", {"username": "keyed", "password": PASSWORD},
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="guess-right")
    assert right.status_code == 429, right.content
