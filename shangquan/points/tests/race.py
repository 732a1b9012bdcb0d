"""The last-units race, run in its own process against a real database file or server.

``python -m shangquan.points.tests.race`` with ``SHANGQUAN_DATABASE_URL`` set: migrates,
makes 200 people who can each afford exactly one redemption of an item with 10 units
left, and lets 200 clients (a pool of threads, each its own connection) POST the
redemption through the real API with an ``Idempotency-Key``; every fifth client sends
its request twice with the same key. The merchant then fulfils every code it got.
Prints one JSON line with what happened; ``test_concurrency.py`` asserts on it.
"""

from __future__ import annotations

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

CLIENTS = 200
UNITS = 10
PRICE = 100
WORKERS = 32


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)

    from shangquan.core import services as core_services
    from shangquan.core.actors import SYSTEM
    from shangquan.core.roles import Role
    from shangquan.merchants import services as merchant_services
    from shangquan.merchants.tests.factories import licence_for
    from shangquan.points.models import HOLDER_KINDS, Account, Item, Redemption
    from shangquan.points.selectors import ledger_check
    from shangquan.points.services import ledger, shop

    district = core_services.district_create(actor=SYSTEM, code="RACE", name="抢兑商圈")
    owner = core_services.user_create(actor=SYSTEM, username="race-owner", password=None,
                                      display_name="店主")
    core_services.membership_grant(actor=SYSTEM, district=district, user=owner,
                                   role=Role.MERCHANT)
    merchant = merchant_services.merchant_create(actor=SYSTEM, district=district,
                                                 name="钟楼烟火理发店", owner=owner,
                                                 licence_no=licence_for(1),
                                                 category="美容美发")
    item = shop.item_create(actor=SYSTEM, district=district, name="健康体检", price=PRICE,
                            stock=UNITS, merchant=merchant, limit_per_month=1)
    ledger.district_defaults_seed(actor=SYSTEM, district=district)
    from shangquan.points.tests.factories import earn

    tokens = []
    for i in range(CLIENTS):
        user = core_services.user_create(actor=SYSTEM, username=f"race-{i}", password=None,
                                         display_name=f"居民{i}")
        core_services.membership_grant(actor=SYSTEM, district=district, user=user,
                                       role=Role.RESIDENT)
        earn(district, user, PRICE, source=f"race-{i}")
        tokens.append(core_services.token_issue(actor=user, user=user, name="race")[1])
    connection.close()

    url = f"/api/v1/districts/{district.code}/points/items/{item.pk}/redeem"
    answers: dict[int, list[tuple[int, str]]] = {}
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            client = Client()
            headers = {"Authorization": f"Bearer {tokens[i]}", "Idempotency-Key": f"key-{i}"}
            for _attempt in range(2 if i % 5 == 0 else 1):
                response = client.post(url, "{}", content_type="application/json",
                                       headers=headers)
                with lock:
                    answers.setdefault(i, []).append((response.status_code,
                                                      response.content.decode()))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(send, range(CLIENTS)))

    codes = [json.loads(body)["code"] for results in answers.values()
             for status, body in results[:1] if status == 201]
    owner_client = Client()
    owner_token = core_services.token_issue(actor=owner, user=owner, name="counter")[1]
    fulfilled = 0
    for code in codes:
        response = owner_client.post(f"/api/v1/districts/{district.code}/points/fulfil",
                                     json.dumps({"code": code}), content_type="application/json",
                                     headers={"Authorization": f"Bearer {owner_token}"})
        fulfilled += response.status_code == 200
    item.refresh_from_db()
    statuses: dict[str, int] = {}
    for results in answers.values():
        for status, _body in results:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
    twice_same = all(len(results) == 2 and results[0] == results[1]
                     for i, results in answers.items() if i % 5 == 0)
    result = ledger_check(district=district)
    print(json.dumps({
        "vendor": connection.vendor,
        "clients": len(answers),
        "statuses": statuses,
        "reserved_answers": len(codes),
        "redemptions": Redemption.objects.filter(district=district).count(),
        "fulfilled": fulfilled,
        "fulfilled_rows": Redemption.objects.filter(district=district,
                                                    status="fulfilled").count(),
        "stock": item.stock,
        "negative": Account.objects.filter(district=district, kind__in=HOLDER_KINDS,
                                           balance__lt=0).count(),
        "merchant_balance": Account.objects.get(district=district, merchant=merchant).balance,
        "retries_same_answer": twice_same,
        "ledger_ok": result.ok,
        "problems": result.problems[:5],
        "items": Item.objects.filter(district=district).count(),
    }))


if __name__ == "__main__":
    sys.exit(main())
