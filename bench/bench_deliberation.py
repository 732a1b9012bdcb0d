"""Deliberation: vote intake under concurrency, the result page, the suggestion list.

1. Vote intake: distinct voters POST their vote to the public API from 16 keep-alive
   connections against a real server (each vote takes the convention's row lock and the
   roll's unique constraint); votes/s as a ratio to the trivial view measured in the same
   run. Every vote must answer 201 (no voter votes twice here; duplicates are the tests').
   Measured twice: voters whose token is used for the first time (the token's
   ``last_used_at`` is written too: a second write transaction per vote), and voters who
   have just read the convention with it (used < 5 minutes ago: the vote is the only write).
2. A closed convention's result page (public phone page and staff API) over 10,000 votes:
   p50 (aim < 100 ms). The tally is stored at the close, so the page does not count.
3. The console suggestion list over 10,000 suggestions with filters (status, search,
   overdue): p50 (aim < 150 ms; Decidim's proposal list took 7.4 s for 900 before its
   PR #13701).

``--db=sqlite|postgresql|both``.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
from urllib.parse import quote

from bench_core import session_cookie
from common import PY, ROOT, database_urls, env_for, header, load, prepare, ratio_line, server

os.environ.setdefault("SHANGQUAN_BENCH_DELIBERATION_PG",
                      "postgres://postgres@127.0.0.1:5432/bench_deliberation")
import common

common.PG_URL = os.environ["SHANGQUAN_BENCH_DELIBERATION_PG"]

VOTERS = 6000
BIG = 10_000

SETUP = r"""
import datetime as dt, json, secrets, django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from shangquan.core import services as core
from shangquan.core.actors import SYSTEM
from shangquan.core.models import ApiToken, Membership, Profile
from shangquan.deliberation.models import Ballot, Convention, Meeting, Suggestion, VoterRoll
from shangquan.deliberation.services import conventions, meetings

N, BIG = {voters}, {big}
User = get_user_model()
d = core.district_create(actor=SYSTEM, code="BNCH", name="议事压测")
staff = core.user_create(actor=SYSTEM, username="bnch-committee", password="x")
core.membership_grant(actor=SYSTEM, district=d, user=staff, role="committee")

def voting(title, electorate="residents"):
    c = conventions.convention_create(actor=SYSTEM, district=d, title=title, text="一\n二",
                                      electorate=electorate)
    c = conventions.convention_open_comment(actor=SYSTEM, convention=c)
    Convention.objects.filter(pk=c.pk).update(comment_opened_at=timezone.now() - dt.timedelta(days=8))
    c.refresh_from_db()
    return c

live = voting("压测公约")
User.objects.bulk_create([User(username=f"bv{{i}}") for i in range(N)])
users = list(User.objects.filter(username__startswith="bv").order_by("pk"))
Profile.objects.bulk_create([Profile(user=u, phone=f"139{{i:08d}}") for i, u in enumerate(users)])
Membership.objects.bulk_create([Membership(district=d, user=u, role="resident") for u in users])
raws = []
tokens = []
for i, u in enumerate(users):
    raw = "sq_" + secrets.token_urlsafe(32)
    raws.append(raw)
    # the second half have just read the convention with their token (used < 5 min ago)
    tokens.append(ApiToken(user=u, name="bench", prefix=raw[:10], key_hash=ApiToken.hash_key(raw),
                           last_used_at=timezone.now() if i >= N // 2 else None))
ApiToken.objects.bulk_create(tokens, batch_size=2000)
live = conventions.convention_open_voting(actor=SYSTEM, convention=live,
                                          closes_at=timezone.now() + dt.timedelta(days=1))

big = voting("万票公约")
big = conventions.convention_open_voting(actor=SYSTEM, convention=big,
                                         closes_at=timezone.now() + dt.timedelta(days=1))
VoterRoll.objects.bulk_create([VoterRoll(district=d, convention=big, college="resident",
                                         voter_key=f"tel:1380{{i:07d}}", channel="web")
                               for i in range(BIG)], batch_size=2000)
Ballot.objects.bulk_create([Ballot(district=d, convention=big, college="resident",
                                   choice="yes" if i % 3 else "no", channel="web")
                            for i in range(BIG)], batch_size=2000)
Convention.objects.filter(pk=big.pk).update(electorate_residents=BIG + 2000)
big.refresh_from_db()
big = conventions.convention_close(actor=SYSTEM, convention=big)

talk = meetings.meeting_create(actor=SYSTEM, district=d, kind="talk", title="恳谈",
                               starts_at=timezone.now())
today = timezone.localdate()
topics = ["停车", "照明", "卫生", "油烟", "外摆"]
Suggestion.objects.bulk_create([Suggestion(
    district=d, number=f"BNCH-JY-{{i:06d}}", title=f"{{topics[i % 5]}}问题建议{{i}}", body="内容",
    channel="offline" if i % 3 == 0 else "online", origin=talk if i % 3 == 0 else None,
    status=["submitted", "reviewing", "submitted", "reviewing", "submitted"][i % 5],
    answer_due=today + dt.timedelta(days=(i % 40) - 20), author_name="居民")
    for i in range(BIG)], batch_size=2000)
print(json.dumps({{"live": live.pk, "big": big.pk, "tokens": raws}}))
"""


def _setup(url: str) -> dict:
    out = subprocess.run([PY, "-c", SETUP.format(voters=VOTERS, big=BIG)], env=env_for(url),
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _streams(tokens: list[str], path: str, concurrency: int) -> list[list[dict]]:
    """One stream of distinct voters' votes per connection."""
    per = len(tokens) // concurrency
    return [[{"method": "POST", "path": path, "body": b'{"choice": "yes"}',
              "headers": {"Authorization": f"Bearer {t}", "Content-Type": "application/json"}}
             for t in tokens[k * per:(k + 1) * per]] for k in range(concurrency)]


def _expect(base: str, path: str, status: int, headers: dict | None = None) -> None:
    """A page the load measures answers what it should (not a redirect to the login)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    if response.status != status:
        raise RuntimeError(f"{path}: {response.status}, expected {status}")


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    for vendor, url in database_urls(which).items():
        header(f"deliberation: votes, the result page, the suggestion list — {vendor}")
        prepare(url, demo_args=None)
        ids = _setup(url)
        cookie = session_cookie(url, "bnch-committee")
        vote_path = f"/api/v1/public/deliberation/BNCH/conventions/{ids['live']}/votes"
        concurrency = 16
        fresh, warm_tokens = ids["tokens"][:VOTERS // 2], ids["tokens"][VOTERS // 2:]
        suggestion_paths = [f"/console/BNCH/deliberation/suggestions/{q}"
                            for q in ("", "?status=reviewing", "?q=" + quote("停车"),
                                      "?overdue=1&channel=offline")]
        with server(url, workers=2) as base:
            for path in (f"/api/v1/districts/BNCH/deliberation/conventions/{ids['big']}",
                         *suggestion_paths):
                _expect(base, path, 200, {"Cookie": cookie})
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16)
            votes = load(base, label="vote intake (distinct voters)", concurrency=concurrency,
                         streams=_streams(fresh, vote_path, concurrency), duration=6.0,
                         warmup=0.5)
            warm = load(base, label="vote intake, token used just before",
                        concurrency=concurrency,
                        streams=_streams(warm_tokens, vote_path, concurrency), duration=6.0,
                        warmup=0.5)
            result_page = load(base, f"/d/BNCH/conventions/{ids['big']}/",
                               label="result page, 10,000 votes", concurrency=1, duration=5)
            result_api = load(base, f"/api/v1/districts/BNCH/deliberation/conventions/{ids['big']}",
                              label="result (staff API), 10,000 votes", concurrency=1,
                              duration=5, headers={"Cookie": cookie})
            lists = [load(base, path, label=f"suggestions 10,000 {path[39:] or '(no filter)'}"[:42],
                          concurrency=1, duration=5, headers={"Cookie": cookie})
                     for path in suggestion_paths]
        for line in (trivial, votes, warm, result_page, result_api, *lists):
            print(line.line())
        print(ratio_line("vote intake / trivial view", votes.rps, trivial.rps, ">= 0.2"))
        print(ratio_line("vote intake (token warm) / trivial view", warm.rps, trivial.rps,
                         ">= 0.2"))
        print(f"{'result page p50':<42} {result_page.p50:7.1f} ms   (aim < 100 ms)")
        print(f"{'suggestion list p50 (worst filter)':<42} "
              f"{max(x.p50 for x in lists):7.1f} ms   (aim < 150 ms)", flush=True)
