"""Query budgets for the writes a crowd makes at once (``bench/bench_writes.py``).

Each write is measured as a client makes it (the API, bearer token or anonymous, with an
``Idempotency-Key`` where the client sends one), after a first write of the same kind has
warmed the process (its caches), counting every statement but transaction control
(BEGIN, SAVEPOINT, RELEASE, COMMIT). The intake's follow-up task (the timeline's first
entry, KPI counters, notices, photo re-encoding) runs after the commit in the worker: here
the task backend only records it, so the budget is what the reporter waits for; the
task's own work is checked separately.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shangquan.core.roles import Role
from shangquan.workorders import intake
from shangquan.workorders.models import Event, KpiDaily, Photo, WorkOrder

pytestmark = pytest.mark.django_db

CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
RECORDED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend",
                        "QUEUES": ["default"]}}

# Public report intake: the key's claim, the rate limit, the day's ticket number, the
# order, its audit row, the follow-up task, the stored answer. The district and the
# category come from the per-process cache (workorders/intake.py).
INTAKE_BUDGET = 7


def claimed(budget: int) -> int:
    """A write sent with an Idempotency-Key: on PostgreSQL the claim also bounds its lock
    wait (``set_config``; reset in one statement with the lease, core/idempotency.py)."""
    return budget + (1 if connection.vendor == "postgresql" else 0)


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if not q["sql"].lstrip().upper().startswith(CONTROL)]


def report(client: Client, code: str, n: int, **fields) -> object:
    body = {"category": "noise", "description": f"夜宵摊噪音扰民，第 {n} 次", **fields}
    return client.post(f"/api/v1/public/workorders/{code}/reports", body,
                       content_type="application/json",
                       headers={"Idempotency-Key": uuid.uuid4().hex},
                       REMOTE_ADDR=f"10.1.0.{n}")


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (32.0, 4.0, 7.0), 3: "E", 4: (112.0, 10.0, 20.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_report(client: Client, code: str, n: int, data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/api/v1/public/workorders/{code}/reports/form", {
        "category": "sanitation", "description": f"垃圾桶满溢无人清运 {n}",
        "photos": [SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")]},
        headers={"Idempotency-Key": uuid.uuid4().hex}, REMOTE_ADDR=f"10.2.0.{n}")


@override_settings(TASKS=RECORDED)
def test_report_intake_stays_within_its_budget(north):
    client = Client()
    assert report(client, north.district.code, 1).status_code == 201  # warms the caches
    with CaptureQueriesContext(connection) as ctx:
        response = report(client, north.district.code, 2)
    assert response.status_code == 201, response.content
    sql = statements(ctx)
    assert len(sql) <= claimed(INTAKE_BUDGET), "\n".join(sql)
    assert not any("workorders_category" in s or "core_district" in s for s in sql)


@override_settings(TASKS=RECORDED)
def test_intake_with_a_photo_costs_no_more_and_keeps_the_original_private(north, tmp_path):
    client = Client()
    data = jpeg_with_gps()
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        assert photo_report(client, north.district.code, 1, data).status_code == 201
        with CaptureQueriesContext(connection) as ctx:
            response = photo_report(client, north.district.code, 2, data)
        assert response.status_code == 201, response.content
        assert len(statements(ctx)) <= claimed(INTAKE_BUDGET), "\n".join(statements(ctx))
        order = WorkOrder.objects.get(pk=response.json()["id"])
        # Until the task has stripped it: no row names the photo, and the received file
        # lies outside the media folder (nothing serves it).
        assert not Photo.objects.filter(order=order).exists()
        held = list(intake.pending_root().glob("*.upload"))
        assert held
        media = Path(settings.MEDIA_ROOT).resolve()
        assert all(media not in p.resolve().parents for p in held)
        assert not any(f.read_bytes() == data for f in media.rglob("*") if f.is_file())
        assert Client().get("/media/" + held[0].name).status_code == 404


def test_the_follow_up_strips_the_photo_and_writes_the_timeline_and_counters(
        north, django_capture_on_commit_callbacks):
    """With the tasks run as they are queued (the test backend): the intake's follow-up
    leaves the order as the old synchronous intake did."""
    client = Client()
    before = set(intake.pending_root().glob("*.upload"))
    with django_capture_on_commit_callbacks(execute=True):
        response = photo_report(client, north.district.code, 3, jpeg_with_gps())
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(pk=response.json()["id"])
    photo = Photo.objects.get(order=order)
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()  # no EXIF, no GPS
    event = Event.objects.get(order=order, action="submit")
    assert event.created_at == order.created_at and event.status == "submitted"
    assert KpiDaily.objects.filter(district=north.district, dim="all").first().total >= 1
    committee = north.people[Role.COMMITTEE]
    assert committee.notifications.filter(title__contains=order.number).exists()
    assert set(intake.pending_root().glob("*.upload")) <= before  # the original is gone


def test_a_deactivated_category_stops_taking_reports_at_once(north):
    from shangquan.workorders.models import Category

    client = Client()
    assert report(client, north.district.code, 4).status_code == 201
    category = Category.objects.get(district=north.district, code="noise")
    category.is_active = False
    category.save()
    response = report(client, north.district.code, 5)
    assert response.status_code == 422 and response.json()["code"] == "unknown_category"


# --- the other writes a crowd makes at once ------------------------------------------------
# Each: the token, the district and the caller's membership (3), then the write itself.
# A budget is what the write costs today; raise one only with a reason written beside it.
def counted(client: Client, method: str, path: str, body: dict, **headers) -> list[str]:
    import json

    with CaptureQueriesContext(connection) as ctx:
        response = client.generic(method, path, json.dumps(body), content_type="application/json",
                                  headers=headers)
    assert response.status_code < 300, response.content
    return statements(ctx)


def bearer(user) -> dict:
    from shangquan.core.services import token_issue

    return {"Authorization": f"Bearer {token_issue(actor=user, user=user, name='t')[1]}"}


def test_spot_check_stays_within_its_budget(north):
    from shangquan.merchants.tests.factories import merchant_factory
    from shangquan.scales.tests.factories import instrument_factory

    shop = merchant_factory(north.district, name="老李肉铺", owner=north.people[Role.MERCHANT])
    instruments = [instrument_factory(north.district, shop) for _ in range(2)]
    auth = bearer(north.people[Role.DEPARTMENT])
    client, path = Client(), f"/api/v1/districts/{north.district.code}/scales/checks"
    for instrument in instruments:
        sql = counted(client, "POST", path, {"instrument_id": instrument.pk, "load_g": "5000",
                                             "indications": ["5000", "5005"]},
                      **auth, **{"Idempotency-Key": uuid.uuid4().hex})
    # + the key's claim and stored answer, the instrument (and its checker's department),
    # the check, its audit row
    assert len(sql) <= claimed(11), "\n".join(sql)


def test_reading_batch_stays_within_its_budget(north):
    from shangquan.crowd.tests.factories import evening_start, gate_factory, reading, zone_factory

    zone = zone_factory(north.district)
    gate, raw = gate_factory(north.district, zone)
    client = Client()
    path = f"/api/v1/districts/{north.district.code}/crowd/readings"
    start = evening_start()
    for batch in range(2):
        sql = counted(client, "POST", path, {"readings": [
            {**reading(batch * 10 + i, start, entries=1, exits=1),
             "ts": start.isoformat()} for i in range(10)]}, Authorization=f"Bearer {raw}")
    # the device's token (with its district), the gate, the zone (locked), the batch's
    # duplicates, one INSERT of the batch, the zone, the minute roll-up (read, previous,
    # write): whatever the batch's size
    assert len(sql) <= 11, "\n".join(sql)


def test_vote_stays_within_its_budget(north):
    from shangquan.deliberation.tests.factories import convention_factory, shop_owner

    convention = convention_factory(north.district, status="voting")
    client = Client()
    path = f"/api/v1/public/deliberation/{north.district.code}/conventions/{convention.pk}/votes"
    for _ in range(2):
        owner, _shop = shop_owner(north.district)
        sql = counted(client, "POST", path, {"choice": "yes"}, **bearer(owner))
    # no write for the token's use (core/tokenuse.py, written in batches outside tests)
    assert len([s for s in sql if "core_apitoken" in s and s.startswith("UPDATE")]) <= 1
    assert len(sql) <= 10, "\n".join(sql)


def test_redemption_stays_within_its_budget(north):
    from shangquan.points.tests.factories import earn, item_factory

    item = item_factory(north.district, price=10, stock=100, limit_per_month=10)
    resident = north.people[Role.RESIDENT]
    earn(north.district, resident, 1000)
    auth = bearer(resident)
    client = Client()
    path = f"/api/v1/districts/{north.district.code}/points/items/{item.pk}/redeem"
    for _ in range(2):
        sql = counted(client, "POST", path, {}, **auth, **{"Idempotency-Key": uuid.uuid4().hex})
    # the item (read, then locked), the month's count, the stock, the three accounts and
    # the posting's key, the posting, the lots drawn (read, update, draw), both balances,
    # the legs, the code, the redemption, its audit row, the key's claim and answer
    assert len(sql) <= claimed(26), "\n".join(sql)


def test_booking_stays_within_its_budget(north):
    from shangquan.stations.tests.factories import service_factory, slot_start

    service = service_factory(north.district, capacity=3)
    client = Client()
    path = f"/api/v1/districts/{north.district.code}/stations/bookings"
    from shangquan.core.tests.factories import member_factory

    people = [north.people[Role.RESIDENT],
              member_factory(north.district, Role.RESIDENT, username="north-resident-2")]
    for index, person in enumerate(people):
        sql = counted(client, "POST", path, {"service_id": service.pk, "starts_at":
                                             slot_start(service, index=index).isoformat()},
                      **bearer(person))
    # the service, the settings, the caller's active bookings and shop, the slot (made on
    # first use, then locked), its seats, the code, the booking, its audit row; and here
    # the token's first use (written at once under tests, in batches when serving)
    assert len(sql) <= 20, "\n".join(sql)
