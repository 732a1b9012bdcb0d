"""Issue 18 §4: the deployment that outgrows one machine (``deploy/``), tested on one.

Two stateless app servers on two ports (``shangquan run --no-worker --no-mqtt``) and two
task workers (``shangquan worker``), against one PostgreSQL and one Redis:

- a session made on server A works on server B;
- a rate limit counts across both;
- a crowd board streamed by A sees a reading posted to B (Redis pub/sub), well before
  the board's own re-check would;
- each periodic job is enqueued once per interval, not once per worker;
- killing A mid-load loses nothing: every key retried on B has exactly one order.

Marked ``faults`` (it runs four server processes and kills one): it runs alone, after
the parallel suite, on PostgreSQL; on SQLite there is nothing to share between machines.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest
from django.db import connection

from shangquan.core.extensions import periodic_jobs
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory, token_for
from shangquan.core.tests.test_faults import ROOT, Database, Key, Server, _file, _free_port
from shangquan.crowd import services as crowd

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


class AppServer(Server):
    """One stateless app server: no worker, no bridge of its own."""

    def start(self) -> None:
        self.starts += 1
        log = open(self.tmp_path / f"run-{self.port}-{self.starts}.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shangquan.cli", "run", "--port", str(self.port),
             "--workers", "1", "--no-worker", "--no-mqtt"], env=self.env, cwd=ROOT,
            stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_tail())
            if self._answers():
                return
            time.sleep(0.2)
        raise RuntimeError("server did not start:\n" + self.log_tail())


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _login(opener, base: str, username: str, password: str = "test-pass-123") -> None:
    opener.open(f"{base}/login/", timeout=10).read()
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    csrf = next(c.value for c in jar.cookiejar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": csrf}).encode()
    opener.open(urllib.request.Request(f"{base}/login/", body, headers={"Referer": base}),
                timeout=10).read()


def _cookies_for(opener, base: str) -> str:
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{c.name}={c.value}" for c in jar.cookiejar)


def _token_login(base: str, username: str) -> int:
    body = json.dumps({"username": username, "password": "wrong-password"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def _first_red(base: str, path: str, cookie: str, zone_id: int, seen: list) -> None:
    """Read the stream until the zone shows red; note when."""
    parsed = urllib.parse.urlparse(base)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parsed.hostname}\r\nCookie: {cookie}\r\n\r\n".encode())
        reader = sock.makefile("rb")
        for raw in reader:
            if raw.startswith(b"data: "):
                data = json.loads(raw[6:])
                level = next(z["level"] for z in data["zones"] if z["id"] == zone_id)
                seen.append((time.monotonic(), level))
                if level == "red":
                    return


def test_two_app_servers_and_two_workers_share_one_database_and_redis(north, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("several machines share PostgreSQL; SQLite is one machine's file")
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    district, code = north.district, north.district.code
    committee = north.people[Role.COMMITTEE]
    zone = crowd.zone_create(actor=committee, district=district, name="东口", area_m2=100,
                             area_per_person=1)
    gate, device_token = crowd.gate_create(actor=committee, district=district, zone=zone,
                                           code="E1", name="东口闸机")
    db = Database(tmp_path)
    a, b = (AppServer(db, tmp_path, _free_port()) for _ in range(2))
    for server in (a, b):
        server.env["SHANGQUAN_REDIS_URL"] = REDIS_URL
    a.manage("createcachetable")
    # The tests hash passwords with a fast test-only hasher; the servers know the real ones.
    done = subprocess.run(
        [sys.executable, "-m", "shangquan.cli", "shell", "-c",
         "from django.contrib.auth import get_user_model as g; "
         f"u = g().objects.get(pk={committee.pk}); u.set_password('test-pass-123'); u.save()"],
        env=a.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    workers = [subprocess.Popen([sys.executable, "-m", "shangquan.cli", "worker"],
                                env=a.env, cwd=ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    workers_started = time.time()
    try:
        a.start()
        b.start()

        # 1. a session made on A works on B
        browser = _opener()
        _login(browser, a.base, committee.get_username())
        page = browser.open(f"{b.base}/console/{code}/", timeout=10)
        assert page.status == 200 and "/login/" not in page.url

        # 2. one rate limit across both servers
        stranger = "nobody-" + str(time.time_ns())
        limit = 10  # LOGIN_RATE's default
        statuses = [_token_login((a, b)[i % 2].base, stranger) for i in range(limit + 2)]
        assert statuses[:limit] == [401] * limit and statuses[limit:] == [429, 429], statuses

        # 3. a board on A sees a reading posted to B, by the publication
        seen: list = []
        reader = threading.Thread(target=_first_red, args=(
            a.base, f"/console/{code}/crowd/stream/", _cookies_for(browser, a.base), zone.pk,
            seen), daemon=True)
        reader.start()
        deadline = time.monotonic() + 20
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen and seen[0][1] == "green"
        posted = time.monotonic()
        reading = {"seq": 1, "entries": 150, "exits": 0, "ts": datetime.now(UTC).isoformat()}
        request = urllib.request.Request(
            f"{b.base}/api/v1/districts/{code}/crowd/readings",
            json.dumps({"readings": [reading]}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {device_token}"})
        assert urllib.request.urlopen(request, timeout=10).status in (200, 201)
        reader.join(timeout=10)
        assert seen[-1][1] == "red", seen
        # the board's own re-check is every 15 s: much sooner means the publication
        assert seen[-1][0] - posted < 5, seen[-1][0] - posted

        # 4. each periodic job once per interval, not once per worker
        window = time.time() - workers_started
        counts = dict(db.rows("SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult "
                              "GROUP BY task_path"))
        for path, interval in periodic_jobs():
            allowed = int(window // interval) + 1
            assert counts.get(path, 0) <= allowed, (path, counts.get(path), allowed)
        assert sum(counts.get(p, 0) for p, _i in periodic_jobs()) >= len(periodic_jobs()) // 2

        # 5. kill A mid-load: every key retried on B has exactly one order
        token = token_for(member_factory(district, Role.RESIDENT, phone="13900001111"))
        keys = [Key(f"dep-{i}", f"第{i}次反映：东口夜市摊位占道") for i in range(60)]
        killed = threading.Event()

        def client(chunk: list[Key]) -> None:
            for key in chunk:
                for _attempt in range(60):
                    base = b.base if killed.is_set() else a.base
                    status = _file(base, code, token, key)
                    key.statuses.append(status)
                    if status == 201:
                        break
                    time.sleep(0.1)

        threads = [threading.Thread(target=client, args=(keys[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        while sum(1 for k in keys if k.answers) < 15:
            time.sleep(0.02)
        a.kill()
        killed.set()
        for t in threads:
            t.join(timeout=120)
        assert all(k.answers for k in keys), [k.statuses for k in keys if not k.answers]
        assert all(len(set(k.answers)) == 1 for k in keys)
        numbers = {n for (n,) in db.rows(
            "SELECT o.number FROM workorders_workorder o JOIN core_district d "
            f"ON d.id = o.district_id WHERE d.code = '{code}'")}
        assert numbers == {k.answers[0] for k in keys}
    finally:
        for server in (a, b):
            server.stop()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
