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
