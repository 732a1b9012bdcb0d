"""Issue 11 leftover: an idempotent request that hangs (not dies) must not hold its key
forever. Its claim is a lease: past ``IDEMPOTENCY_LEASE_SECONDS`` of idling, the claiming
transaction ends, its writes roll back with the claim, and a retry runs afresh, once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_save

from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hung_request_releases_its_key_after_the_lease(north, api_client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the server ends the hung session: PostgreSQL (SQLite: one writer)")
    from shangquan.workorders.models import WorkOrder

    settings.SHANGQUAN = {**settings.SHANGQUAN, "IDEMPOTENCY_WAIT_SECONDS": 0.3,
                          "IDEMPOTENCY_LEASE_SECONDS": 1.5}
    client = api_client(north.people[Role.RESIDENT])
    url = f"/api/v1/districts/{north.district.code}/workorders"
    payload = {"category": "oil_fume", "description": "烧烤油烟直排居民楼 lease"}
    hung, release = threading.Event(), threading.Event()
    state = {"armed": True}

    def hang(sender, instance, created, **kwargs):
        # The first request writes its order, then stops making progress (a stuck call).
        if created and state.pop("armed", False):
            hung.set()
            release.wait(30)

    first: dict = {}

    def run_first():
        try:
            first["response"] = client.post(url, payload, headers={"Idempotency-Key": "hang-1"})
        except Exception as exc:  # its session was ended under it
            first["error"] = exc
        finally:
            connection.close()

    post_save.connect(hang, sender=WorkOrder, weak=False, dispatch_uid="hang")
    worker = threading.Thread(target=run_first)
    worker.start()
    try:
        assert hung.wait(30), "the first request never reached its write"
        busy = client.post(url, payload, headers={"Idempotency-Key": "hang-1"})
        assert busy.status_code == 409, busy.content  # within the lease: still held
        time.sleep(2.5)  # past the lease
        retry = client.post(url, payload, headers={"Idempotency-Key": "hang-1"})
        assert retry.status_code == 201, retry.content
        again = client.post(url, payload, headers={"Idempotency-Key": "hang-1"})
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert again.json()["number"] == retry.json()["number"]
    finally:
        release.set()
        worker.join(30)
        post_save.disconnect(dispatch_uid="hang", sender=WorkOrder)
    # The hung request got no success, and its order went with its claim.
    assert "error" in first or first["response"].status_code >= 500
    orders = WorkOrder.objects.filter(district=north.district,
                                      description="烧烤油烟直排居民楼 lease")
    assert orders.count() == 1
