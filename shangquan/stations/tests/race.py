"""The slot race, run in its own process against a real database file or server.

``python -m shangquan.stations.tests.race`` with ``SHANGQUAN_DATABASE_URL`` set: migrates,
makes 100 merchants and a Thursday licence service with 3 desks, and lets 100 clients (a
pool of threads, each its own connection) POST a booking of the same slot through the
real API. Prints one JSON line with what happened; ``test_concurrency.py`` asserts on it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

CLIENTS = 100
DESKS = 3
WORKERS = 24


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from shangquan.core import services as core_services
    from shangquan.core.actors import SYSTEM
    from shangquan.core.roles import Role
    from shangquan.stations.models import Booking, Slot
    from shangquan.stations.tests.factories import next_weekday, service_factory

    district = core_services.district_create(actor=SYSTEM, code="SLOTRACE", name="抢号商圈")
    service = service_factory(district, name="营业执照", weekday=3, capacity=DESKS)
    day = next_weekday(3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    tokens = []
    for i in range(CLIENTS):
        user = core_services.user_create(actor=SYSTEM, username=f"slot-{i}", password=None,
                                         display_name=f"商户{i}")
        core_services.membership_grant(actor=SYSTEM, district=district, user=user,
                                       role=Role.MERCHANT)
        tokens.append(core_services.token_issue(actor=user, user=user, name="race")[1])
    connection.close()

    url = f"/api/v1/districts/{district.code}/stations/bookings"
    body = json.dumps({"service_id": service.pk, "starts_at": start.isoformat()})
    answers: dict[int, tuple[int, dict]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS)

    def send(i: int) -> None:
        try:
            if i < WORKERS:
                barrier.wait(timeout=60)  # the first wave leaves together
            response = Client().post(url, body, content_type="application/json",
                                     headers={"Authorization": f"Bearer {tokens[i]}"})
            with lock:
                answers[i] = (response.status_code, response.json())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(send, range(CLIENTS)))

    rows = list(Booking.objects.filter(district=district).order_by("id")
                .values("status", "seat", "queue_no", "id"))
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    statuses: dict[str, int] = {}
    for status, _answer in answers.values():
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    print(json.dumps({
        "vendor": connection.vendor,
        "clients": len(answers),
        "statuses": statuses,
        "answered_booked": sum(1 for s, a in answers.values() if s == 201
                               and a.get("status") == "booked"),
        "booked_seats": sorted(r["seat"] for r in rows if r["status"] == "booked"),
        "waitlisted": len(waiting),
        # the waiting list in the order the bookings committed (id order)
        "queue_in_commit_order": [r["queue_no"] for r in waiting],
        "slot_booked": Slot.objects.get(service=service).booked,
        "slots": Slot.objects.filter(service=service).count(),
    }))


if __name__ == "__main__":
    sys.exit(main())
