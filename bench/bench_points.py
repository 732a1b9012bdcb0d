"""Points: redemption throughput under contention, and a member statement of 10 000
movements.

1. Throughput: 16 client threads redeem one item (ample stock, every person able to
   afford it) through the real API (token auth, idempotency middleware, item lock,
   ledger posting, audit row) against the same threads calling the trivial view.
   Printed as a ratio to the trivial view (no aim: the item's row lock serialises them
   on purpose).
2. Statement: one person with 10 000 movements; ``GET …/points/me`` (totals by category,
   lots) and ``GET …/points/me/movements`` (first page), median of 20. Aim < 100 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from common import PY, ROOT, database_urls, env_for, header, ratio_line, reset_database

os.environ.setdefault("SHANGQUAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/bench_points")
import common

common.PG_URL = os.environ["SHANGQUAN_BENCH_PG"]

PEOPLE = 400
THREADS = 16
MOVEMENTS = 10_000


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from concurrent.futures import ThreadPoolExecutor

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    call_command("migrate", verbosity=0)
    from shangquan.core import services as core_services
    from shangquan.core.actors import SYSTEM
    from shangquan.core.roles import Role
    from shangquan.points.models import AccountKind, Category, EarningRule, PostingKind
    from shangquan.points.services import ledger, shop
    from shangquan.points.services.ledger import LegIn

    district = core_services.district_create(actor=SYSTEM, code="PBENCH", name="积分基准")
    EarningRule.objects.get_or_create(district=district, code="bench", defaults={
        "name": "基准", "source_type": "bench", "category": Category.OTHER,
        "points_per_unit": 1})
    item = shop.item_create(actor=SYSTEM, district=district, name="雨伞", price=10,
                            stock=10**6, limit_per_month=100)
    tokens = []
    for i in range(PEOPLE):
        user = core_services.user_create(actor=SYSTEM, username=f"pb-{i}", password=None)
        core_services.membership_grant(actor=SYSTEM, district=district, user=user,
                                       role=Role.RESIDENT)
        ledger.award_post(actor=SYSTEM, district=district, rule_code="bench",
                          source_type="bench", source_id=i, user=user, quantity=1000)
        tokens.append(core_services.token_issue(actor=user, user=user, name="b")[1])
    connection.close()

    def run(fn, n: int) -> float:
        def one(k: int) -> None:
            try:
                fn(k)
            finally:
                connection.close()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(one, range(n)))
        return n / (time.perf_counter() - started)

    def trivial(k: int) -> None:
        assert Client().get("/bench/trivial").status_code == 200

    url = f"/api/v1/districts/{district.code}/points/items/{item.pk}/redeem"

    def redeem(k: int) -> None:
        response = Client().post(url, "{}", content_type="application/json", headers={
            "Authorization": f"Bearer {tokens[k % PEOPLE]}", "Idempotency-Key": f"b{k}"})
        assert response.status_code == 201, response.content

    base_rps = run(trivial, 800)
    redeem_rps = run(redeem, 800)

    # a person with 10 000 movements
    rich = core_services.user_create(actor=SYSTEM, username="pb-rich", password=None)
    core_services.membership_grant(actor=SYSTEM, district=district, user=rich,
                                   role=Role.RESIDENT)
    account = ledger.account_for(district=district, user=rich)
    issuance = ledger._system_account(district, AccountKind.ISSUANCE)
    started = time.perf_counter()
    for k in range(0, MOVEMENTS, 500):
        with transaction.atomic():
            for j in range(k, k + 500):
                ledger._post(actor=SYSTEM, district=district, kind=PostingKind.EARN,
                             category=Category.VOLUNTEER if j % 2 else Category.REPORT,
                             legs=[LegIn(issuance, -(1 + j % 7)), LegIn(account, 1 + j % 7)],
                             key=f"bench:{j}", memo="基准")
    build = time.perf_counter() - started
    client = Client()
    token = core_services.token_issue(actor=rich, user=rich, name="b")[1]
    headers = {"Authorization": f"Bearer {token}"}
    times = {}
    for path in ("points/me", "points/me/movements"):
        samples = []
        for _i in range(21):
            t0 = time.perf_counter()
            response = client.get(f"/api/v1/districts/{district.code}/{path}", headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times[path] = statistics.median(samples[1:])
    print(json.dumps({"vendor": connection.vendor, "trivial_rps": base_rps,
                      "redeem_rps": redeem_rps, "statement_ms": times["points/me"],
                      "movements_ms": times["points/me/movements"], "build_s": build}))


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    header("points: redemption under contention, a 10 000-movement statement")
    for vendor, url in database_urls(which).items():
        reset_database(url)
        done = subprocess.run([PY, __file__, "--child"], cwd=ROOT, env=env_for(url),
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{vendor}: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{vendor}: trivial view {r['trivial_rps']:.0f} req/s, redemption "
              f"{r['redeem_rps']:.0f} req/s ({THREADS} threads, one item)")
        print(ratio_line(f"{vendor} redemption / trivial", r["redeem_rps"], r["trivial_rps"]))
        print(f"{vendor}: statement of {MOVEMENTS} movements: GET points/me "
              f"{r['statement_ms']:.1f} ms, first page of movements {r['movements_ms']:.1f} ms "
              f"(aim < 100 ms)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main(sys.argv[1:])
