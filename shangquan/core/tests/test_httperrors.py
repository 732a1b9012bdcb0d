"""Issue 11: a lost database answers 503 + Retry-After in the API format, and the next
request reconnects; an oversized body answers 413 in the API format."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from shangquan.core.roles import Role
from shangquan.core.tests.factories import token_for


def _is_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"])


@contextlib.contextmanager
def _terminate_next_connection():
    """PostgreSQL: the next connection Django opens is killed by the server right away,
    as in a database restart (``pg_terminate_backend`` from another session)."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    armed = [True]

    def kill(sender, connection, **kwargs):
        if not armed or connection.alias != "default":
            return
        armed.clear()
        pid = connection.connection.info.backend_pid
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    connection_created.connect(kill, weak=False)
    try:
        yield armed
    finally:
        connection_created.disconnect(kill)


def _post(url: str, body: dict, token: str, key: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}",
        "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read() or b"{}")


@pytest.mark.django_db(transaction=True)
def test_postgres_connection_lost_mid_request_is_503_then_reconnects(north, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("a server connection to lose: PostgreSQL")
    from shangquan.workorders.models import WorkOrder

    token = token_for(north.people[Role.RESIDENT])
    url = f"{live_server.url}/api/v1/districts/{north.district.code}/workorders"
    body = {"category": "oil_fume", "description": "烧烤油烟直排居民楼"}
    with _terminate_next_connection() as armed:
        status, headers, answer = _post(url, body, token, "lost-1")
        assert not armed  # the fault did happen
    assert status == 503, answer
    assert answer["code"] == "database_unavailable" and answer["message"]
    assert int(headers["Retry-After"]) >= 1
    status, _headers, answer = _post(url, body, token, "lost-1")  # the retry reconnects
    assert status == 201, answer
    assert WorkOrder.objects.filter(number=answer["number"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_sqlite_database_locked_is_503_with_retry_after(north, api_client):
    if not _is_memory_sqlite():
        pytest.skip("the in-memory SQLite test database is locked from a second connection")
    from shangquan.workorders.models import WorkOrder

    client = api_client(north.people[Role.RESIDENT])
    client.raise_request_exception = False  # a real server answers; so does this client
    url = f"/api/v1/districts/{north.district.code}/workorders"
    body = {"category": "oil_fume", "description": "烧烤油烟直排居民楼"}
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, timeout=0.1,
                            isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE core_district SET name = name")  # holds the write lock
        locked = client.post(url, body, headers={"Idempotency-Key": "locked-1"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert locked.status_code == 503, locked.content
    assert locked.json()["code"] == "database_unavailable"
    assert int(locked["Retry-After"]) >= 1
    retry = client.post(url, body, headers={"Idempotency-Key": "locked-1"})
    assert retry.status_code == 201, retry.content
    assert WorkOrder.objects.filter(district=north.district).count() == 1


def test_oversized_json_body_is_413_in_the_api_format(north, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = api_client(north.people[Role.RESIDENT])
    url = f"/api/v1/districts/{north.district.code}/workorders"
    for headers in ({}, {"Idempotency-Key": "big-1"}):
        r = client.post(url, {"category": "oil_fume", "description": "长" * 2000},
                        headers=headers)
        assert r.status_code == 413, r.content
        assert r.json()["code"] == "payload_too_large" and r.json()["message"]


def test_photo_upload_stops_at_the_limit_while_it_is_received(north, client, settings):
    """A photo over PHOTO_MAX_BYTES is refused while the multipart body is parsed: 413
    ``photo_too_large`` in the API format, no order filed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shangquan.workorders.models import WorkOrder

    settings.SHANGQUAN = {**settings.SHANGQUAN, "PHOTO_MAX_BYTES": 64 * 1024}
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (512 * 1024), "image/jpeg")
    r = client.post(f"/api/v1/public/workorders/{north.district.code}/reports/form",
                    {"category": "sanitation", "description": "垃圾桶满溢无人清运",
                     "photos": [big]})
    assert r.status_code == 413, r.content
    assert r.json()["code"] == "photo_too_large" and r.json()["details"]["limit"] == 65536
    assert not WorkOrder.objects.filter(district=north.district).exists()


def test_photo_clean_reads_no_further_than_the_limit():
    """A 50 MB photo is not read whole into memory before its size is checked."""
    import io

    from shangquan.core.errors import ValidationFailed
    from shangquan.core.pii import photo_clean

    class Upload(io.BytesIO):
        read_sizes: list

        def read(self, size=-1):
            self.read_sizes.append(size)
            return super().read(size)

    upload = Upload(b"\xff\xd8" + b"0" * (50 * 1024 * 1024))
    upload.read_sizes = []
    with pytest.raises(ValidationFailed) as err:
        photo_clean(upload, max_bytes=1024 * 1024)
    assert err.value.code == "photo_too_large"
    assert upload.tell() <= 1024 * 1024 + 1
