"""/healthz: database, cache and the worker's heartbeat, JSON for machines, 503 on failure.

Each test sets up the worker's heartbeat explicitly: no heartbeat row means a worker that
was never started, which /healthz reports as failing (on a laptop as in production).
"""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from health_check import Database

from shangquan.core import health
from shangquan.core.health import WORKER, Pulse, heartbeat_record
from shangquan.core.management.commands.worker import Timer
from shangquan.core.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _beat(name=WORKER, *, seconds_ago=0):
    heartbeat_record(name=name, now=timezone.now() - timedelta(seconds=seconds_ago))


def test_ok_with_a_fresh_worker_heartbeat(client):
    _beat(seconds_ago=5)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"] == {"database": "OK", "cache": "OK", "worker": "OK"}
    assert "no-cache" in response["Cache-Control"]


def test_a_worker_that_never_started_fails_with_503_naming_it(client):
    assert not Heartbeat.objects.exists()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["failing"] == ["worker"]
    assert "从未上报心跳" in body["checks"]["worker"]
    assert body["checks"]["database"] == "OK" and body["checks"]["cache"] == "OK"


@override_settings(HEARTBEAT_STALE_SECONDS=60)
def test_a_stale_heartbeat_fails_and_the_threshold_is_a_setting(client):
    _beat(seconds_ago=45)
    assert client.get("/healthz").status_code == 200
    _beat(seconds_ago=75)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["failing"] == ["worker"]
    assert "秒未更新" in response.json()["checks"]["worker"]
    with override_settings(HEARTBEAT_STALE_SECONDS=120):
        assert client.get("/healthz").status_code == 200


def test_json_by_default_html_for_browsers_and_other_formats_on_request(client):
    _beat()
    assert client.get("/healthz", HTTP_ACCEPT="*/*")["Content-Type"] == "application/json"
    page = client.get("/healthz", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    text = client.get("/healthz?format=text")
    assert text["Content-Type"].startswith("text/plain") and b"OK" in text.content
    assert client.get("/healthz?format=json", HTTP_ACCEPT="text/html").json()["status"] == "ok"
    # Failing checks give 503 in every format that carries a status, not the library's 500.
    Heartbeat.objects.all().delete()
    assert client.get("/healthz", HTTP_ACCEPT="text/html").status_code == 503
    assert client.get("/healthz?format=text").status_code == 503


@pytest.fixture
def second_database_check(monkeypatch):
    """The library's database check on an alias this deployment does not have."""
    real = health.health_checks
    monkeypatch.setattr(health, "health_checks",
                        lambda: [*real(), Database(alias="replica")])


def test_a_failing_database_check_gives_503_naming_it(client, second_database_check):
    _beat()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database:replica"]
    assert body["checks"]["database"] == "OK"  # the real one answered SELECT 1
    assert body["checks"]["database:replica"] == "Unavailable: Database alias does not exist"


def test_the_worker_timer_beats_and_enqueues(client):
    timer = Timer(tick=30)
    timer.step()
    beat = Heartbeat.objects.get(name=WORKER).beat_at
    assert (timezone.now() - beat).total_seconds() < 5
    assert client.get("/healthz").status_code == 200
    timer.step()  # within the pulse interval: no second write
    assert Heartbeat.objects.get(name=WORKER).beat_at == beat


@override_settings(HEARTBEAT_STALE_SECONDS=90)
def test_pulse_beats_at_most_once_per_third_of_the_threshold():
    pulse = Pulse("loop")
    assert pulse.every == 30
    assert pulse() is True and pulse() is False
    fast = Pulse("fast", every=0.05)
    assert fast() is True
    time.sleep(0.06)
    assert fast() is True
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"loop", "fast"}
