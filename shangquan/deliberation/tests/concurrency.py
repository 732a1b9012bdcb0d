"""The vote race, runnable on any database with committed data (PostgreSQL in-process,
SQLite in a subprocess on a file database): ``n`` voters, each sending the same vote
three times at once on two channels (twice online, once at a booth by an officer)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.utils import timezone

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict
from shangquan.core.models import Membership, Profile
from shangquan.core.roles import Role

from .. import selectors
from ..models import Ballot, Convention, VoterRoll
from ..services import conventions


def _voters(district, n: int, tag: str) -> list[Any]:
    """``n`` resident members with verified phones. Bulk rows: the voters are the
    scenery here, the votes are what is tested."""
    User = get_user_model()
    User.objects.bulk_create([User(username=f"race-{tag}-{i}") for i in range(n)])
    users = list(User.objects.filter(username__startswith=f"race-{tag}-").order_by("pk"))
    Profile.objects.bulk_create([Profile(user=u, phone=f"186{hash(tag) % 100:02d}{i:06d}")
                                 for i, u in enumerate(users)])
    Membership.objects.bulk_create([Membership(district=district, user=u, role=Role.RESIDENT)
                                    for u in users])
    return list(User.objects.filter(pk__in=[u.pk for u in users]).select_related("profile")
                .order_by("pk"))


def run(n: int = 500, *, workers: int = 12, tag: str = "") -> dict:
    tag = tag or timezone.now().strftime("%H%M%S%f")
    district = core_services.district_create(actor=SYSTEM, code=f"R{tag[-6:]}", name="并发表决")
    officer = core_services.user_create(actor=SYSTEM, username=f"officer-{tag}")
    core_services.membership_grant(actor=SYSTEM, district=district, user=officer,
                                   role=Role.COMMITTEE)
    voters = _voters(district, n, tag)
    c = conventions.convention_create(actor=SYSTEM, district=district, title="并发表决公约",
                                      text="第一条\n第二条", electorate="residents")
    c = conventions.convention_open_comment(actor=SYSTEM, convention=c)
    Convention.objects.filter(pk=c.pk).update(
        comment_opened_at=timezone.now() - dt.timedelta(days=8))
    c.refresh_from_db()
    c = conventions.convention_open_voting(actor=SYSTEM, convention=c,
                                           closes_at=timezone.now() + dt.timedelta(hours=1))
    choice_of = {v.pk: ("yes" if i % 4 else "no") for i, v in enumerate(voters)}

    def attempt(job: tuple[int, str]) -> str:
        index, channel = job
        voter = voters[index]
        try:
            if channel == "web":
                conventions.vote_cast(actor=voter, convention=c, choice=choice_of[voter.pk])
            else:
                conventions.vote_booth(actor=officer, convention=c, phone=voter.profile.phone,
                                       choice=choice_of[voter.pk])
            return "ok"
        except Conflict as exc:
            return exc.code
        finally:
            close_old_connections()
            connection.close()

    jobs = [(i, ch) for i in range(n) for ch in ("web", "booth", "web")]
    started = timezone.now()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(attempt, jobs))
    seconds = (timezone.now() - started).total_seconds()
    hidden = False
    try:
        selectors.tally(convention=Convention.objects.get(pk=c.pk))
    except Conflict as exc:
        hidden = exc.code == "tally_hidden"
    closed = conventions.convention_close(actor=officer, convention=c)
    result = closed.result["colleges"]["resident"]
    return {
        "ok": outcomes.count("ok"), "already_voted": outcomes.count("already_voted"),
        "other": sorted(set(outcomes) - {"ok", "already_voted"}),
        "roll": VoterRoll.objects.filter(convention=c).count(),
        "ballots": Ballot.objects.filter(convention=c).count(),
        "hidden_before_close": hidden,
        "yes": result["yes"], "no": result["no"],
        "expected_yes": sum(1 for v in choice_of.values() if v == "yes"),
        "status": closed.status, "attempts": len(jobs), "seconds": seconds,
        "vendor": connection.vendor,
    }
