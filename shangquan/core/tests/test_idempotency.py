import hashlib
import threading

import pytest
from django.db import connection

from shangquan.core.models import Department, IdempotencyRecord
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_retry_with_same_key_returns_first_answer(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    url = f"/api/v1/districts/{north.district.code}/departments"
    first = client.post(url, {"code": "xf", "name": "消防"}, headers={"Idempotency-Key": "k1"})
    again = client.post(url, {"code": "xf", "name": "消防"}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Department.objects.filter(district=north.district, code="xf").count() == 1


def test_same_key_different_body_is_refused(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    url = f"/api/v1/districts/{north.district.code}/departments"
    client.post(url, {"code": "xf", "name": "消防"}, headers={"Idempotency-Key": "k2"})
    other = client.post(url, {"code": "ga", "name": "公安"}, headers={"Idempotency-Key": "k2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert not Department.objects.filter(district=north.district, code="ga").exists()


def test_keys_are_scoped_per_caller(north, api_client):
    url = f"/api/v1/districts/{north.district.code}/departments"
    a = api_client(north.people[Role.COMMITTEE])
    b = api_client(north.people[Role.STREET])
    assert a.post(url, {"code": "xf", "name": "消防"},
                  headers={"Idempotency-Key": "same"}).status_code == 201
    assert b.post(url, {"code": "ga", "name": "公安"},
                  headers={"Idempotency-Key": "same"}).status_code == 201


def test_server_errors_are_not_stored(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    url = f"/api/v1/districts/{north.district.code}/departments"
    client.post(url, {"code": "xf", "name": "消防"}, headers={"Idempotency-Key": "k3"})
    assert IdempotencyRecord.objects.filter(key="k3", status_code=201).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_row(north, api_client):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:") \
            or "mode=memory" in str(connection.settings_dict.get("NAME")):
        pytest.skip("needs a file or server database for concurrent connections")
    client_token = api_client(north.people[Role.COMMITTEE]).token
    url = f"/api/v1/districts/{north.district.code}/departments"
    results = []

    def post():
        from shangquan.core.tests.fixtures import ApiClient

        try:
            response = ApiClient(client_token).post(url, {"code": "xf", "name": "消防"},
                                                    headers={"Idempotency-Key": "race"})
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Department.objects.filter(district=north.district, code="xf").count() == 1
    assert all(code in (201, 409) for code in results), results


def test_multipart_form_without_files_is_deduplicated(north, client):
    client.force_login(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/people/"
    data = {"name": "消防救援", "code": "xf", "idempotency_key": "form-1"}
    first = client.post(url, data)  # the test client sends multipart/form-data
    again = client.post(url, data)
    assert first.status_code == again.status_code == 302
    assert Department.objects.filter(district=north.district, code="xf").count() == 1


# --- issue 11: a crash never strands a key; secrets are never replayed --------------------
class Crash(BaseException):
    """The process dies here (a BaseException passes every ``except Exception``)."""


def _report(north):
    return (f"/api/v1/districts/{north.district.code}/workorders",
            {"category": "oil_fume", "description": "烧烤油烟直排居民楼"})


@pytest.fixture
def crash_on_order_save():
    """While armed, saving a work order kills the request: during the write (``now``) or
    just after it committed, before the answer reached the client (``after_commit``)."""
    from django.db import transaction
    from django.db.models.signals import post_save

    from shangquan.workorders.models import WorkOrder

    state = {"mode": None}

    def receiver(sender, instance, created, **kwargs):
        mode, state["mode"] = state["mode"], None
        if mode == "now":
            raise Crash
        if mode == "after_commit":
            def die():
                raise Crash
            transaction.on_commit(die)

    post_save.connect(receiver, sender=WorkOrder, weak=False)
    yield state
    post_save.disconnect(receiver, sender=WorkOrder)


@pytest.mark.django_db(transaction=True)
def test_crash_during_the_write_leaves_no_claim_and_the_retry_runs_afresh(
        north, api_client, crash_on_order_save):
    from shangquan.workorders.models import WorkOrder

    client = api_client(north.people[Role.RESIDENT])
    url, payload = _report(north)
    crash_on_order_save["mode"] = "now"
    with pytest.raises(Crash):
        client.post(url, payload, headers={"Idempotency-Key": "crash-1"})
    assert not WorkOrder.objects.filter(district=north.district).exists()
    assert not IdempotencyRecord.objects.filter(key="crash-1").exists()
    retry = client.post(url, payload, headers={"Idempotency-Key": "crash-1"})
    assert retry.status_code == 201, retry.content  # not 409 idempotency_in_progress
    assert WorkOrder.objects.filter(district=north.district).count() == 1


@pytest.mark.django_db(transaction=True)
def test_crash_after_the_commit_the_retry_gets_the_first_answer(
        north, api_client, crash_on_order_save):
    from shangquan.workorders.models import WorkOrder

    client = api_client(north.people[Role.RESIDENT])
    url, payload = _report(north)
    crash_on_order_save["mode"] = "after_commit"
    with pytest.raises(Crash):
        client.post(url, payload, headers={"Idempotency-Key": "crash-2"})
    order = WorkOrder.objects.get(district=north.district)
    retry = client.post(url, payload, headers={"Idempotency-Key": "crash-2"})
    assert retry.status_code == 201, retry.content
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["number"] == order.number  # the answer the client never got
    assert WorkOrder.objects.filter(district=north.district).count() == 1


def test_a_claim_left_without_answer_is_reclaimed_at_once(north, api_client):
    """A committed claim with no answer (an older version's, whose request died) does
    not answer 409 for 48 h: the retry executes afresh, once."""
    from shangquan.core import idempotency
    from shangquan.workorders.models import WorkOrder

    url, payload = _report(north)
    anon_url = f"/api/v1/public/workorders/{north.district.code}/reports"
    IdempotencyRecord.objects.create(scope=hashlib.sha256(b"anon").hexdigest(), key="old-1",
                                     method="POST", path=anon_url, request_hash="x")
    assert idempotency.wait_seconds() < 60
    first = api_client(None).post(anon_url, payload, headers={"Idempotency-Key": "old-1"})
    again = api_client(None).post(anon_url, payload, headers={"Idempotency-Key": "old-1"})
    assert first.status_code == 201 and again.json() == first.json()
    assert WorkOrder.objects.filter(district=north.district).count() == 1


def test_a_server_error_rolls_back_the_write_with_the_claim(north, api_client,
                                                              crash_on_order_save):
    """A 500 after the write keeps neither the answer nor the write: the retry runs once."""
    from django.db.models.signals import post_save

    from shangquan.workorders.models import WorkOrder

    def boom(sender, instance, created, **kwargs):
        raise RuntimeError("after the write")

    client = api_client(north.people[Role.RESIDENT])
    client.raise_request_exception = False
    url, payload = _report(north)
    post_save.connect(boom, sender=WorkOrder, weak=False)
    try:
        failed = client.post(url, payload, headers={"Idempotency-Key": "err-1"})
    finally:
        post_save.disconnect(boom, sender=WorkOrder)
    assert failed.status_code == 500
    assert not WorkOrder.objects.filter(district=north.district).exists()
    retry = client.post(url, payload, headers={"Idempotency-Key": "err-1"})
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert WorkOrder.objects.filter(district=north.district).count() == 1


def test_bearer_tokens_are_never_stored_nor_replayed(north):
    """``POST /auth/token`` with a key: no token in the store; the retry is a new login,
    through the rate limit and the audit."""
    from shangquan.core.models import ApiToken, AuditLog
    from shangquan.core.tests.factories import PASSWORD
    from shangquan.core.tests.fixtures import ApiClient

    user = north.people[Role.COMMITTEE]
    body = {"username": user.username, "password": PASSWORD}
    issued_before = AuditLog.objects.filter(action="core.token.issue").count()
    first = ApiClient().post("/api/v1/auth/token", body, headers={"Idempotency-Key": "t-1"})
    again = ApiClient().post("/api/v1/auth/token", body, headers={"Idempotency-Key": "t-1"})
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in again
    assert first.json()["token"] != again.json()["token"]
    raw = first.json()["token"].encode()
    assert not any(raw in bytes(r.body or b"") for r in IdempotencyRecord.objects.all())
    assert not IdempotencyRecord.objects.filter(key="t-1").exists()
    assert AuditLog.objects.filter(action="core.token.issue").count() == issued_before + 2
    assert ApiToken.objects.filter(user=user, name="api").count() == 2


def test_a_duplicate_waits_at_most_the_configured_time_then_409(north, api_client, settings):
    """PostgreSQL: while another transaction holds the key, a retry waits
    IDEMPOTENCY_WAIT_SECONDS, then gets 409 with Retry-After; once that transaction is
    gone, the retry runs."""
    if connection.vendor != "postgresql":
        pytest.skip("a second server session holds the key: PostgreSQL")
    import time

    import psycopg

    settings.SHANGQUAN = {**settings.SHANGQUAN, "IDEMPOTENCY_WAIT_SECONDS": 0.5}
    client = api_client(north.people[Role.RESIDENT])
    url, payload = _report(north)
    scope = hashlib.sha256(f"auth:Bearer {client.token}".encode()).hexdigest()
    params = {k: v for k, v in connection.get_connection_params().items()
              if k in ("host", "port", "user", "password", "dbname")}
    holder = psycopg.connect(**params)  # a request still running with this key
    holder.execute(
        "INSERT INTO core_idempotencyrecord (scope, key, method, path, request_hash, "
        "content_type, location, created_at) VALUES (%s, 'held-1', 'POST', %s, 'x', '', '', "
        "now())", [scope, url])
    release = threading.Timer(30, holder.rollback)  # never hang, whatever the code does
    release.start()
    try:
        started = time.monotonic()
        busy = client.post(url, payload, headers={"Idempotency-Key": "held-1"})
        waited = time.monotonic() - started
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert busy.status_code == 409, busy.content
    assert busy.json()["code"] == "idempotency_in_progress"
    assert int(busy["Retry-After"]) >= 1
    assert waited < 8  # 0.5 s of waiting, plus a busy machine's overhead
    retry = client.post(url, payload, headers={"Idempotency-Key": "held-1"})
    assert retry.status_code == 201, retry.content
