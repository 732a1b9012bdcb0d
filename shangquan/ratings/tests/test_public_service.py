"""公益 credit: the shop's people volunteering (activities) lifts its 公益参与 sub-score,
through ``Contributions.rating_evidence`` — ratings never imports activities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shangquan.activities import services as activities
from shangquan.activities.models import Registration, ServiceLog, Team
from shangquan.activities.tests.factories import event_factory, team_factory
from shangquan.core.district_settings import district_settings_update
from shangquan.core.roles import Role
from shangquan.ratings import selectors, services
from shangquan.ratings.models import Adjustment, Result

from .factories import all_dims, period_factory, shops

pytestmark = pytest.mark.django_db


def _volunteer(persona, user, hours: int) -> Registration:
    committee = persona.people[Role.COMMITTEE]
    event = event_factory(persona, hours=hours, title="鱼巷助老志愿服务")
    activities.registration_create(actor=user, event=event)
    district, token = persona.district, event.checkin_token
    activities.check_in(actor=committee, district=district, token=token, user=user,
                        now=event.starts_at)
    activities.check_out(actor=committee, district=district, token=token, user=user,
                         now=event.ends_at)
    registration = Registration.objects.get(event=event, user=user)
    return activities.hours_confirm(actor=committee, registration=registration)


def _scored(persona, period, merchants):
    for m in merchants:
        for role in (Role.ASSOCIATION, Role.COMMUNITY):
            services.score_record(actor=persona.people[role], period=period, merchant=m,
                                  scores=all_dims(period, 80))


def test_volunteering_credits_the_shop_with_a_link_to_its_source(north):
    owner = north.people[Role.MERCHANT]
    shop, other = shops(north, 2, owner=owner)
    period = period_factory(north)
    _scored(north, period, [shop, other])
    registration = _volunteer(north, owner, hours=3)
    team = team_factory(north, kind=Team.Kind.VOLUNTEER, captain=owner, name="鱼巷商户义工队")
    log = activities.service_log_record(actor=north.people[Role.COMMITTEE], team=team,
                                        kind=ServiceLog.Kind.SHOES,
                                        served_on=period.starts_on + dt.timedelta(days=1))
    services.period_close(actor=north.people[Role.COMMITTEE], period=period)
    credit = {a.source_type: a for a in Adjustment.objects.filter(period=period, merchant=shop)}
    volunteer = credit["activities.registration"]
    assert volunteer.rule == "public_service" and volunteer.dimension == "charity"
    assert volunteer.points == 3 and volunteer.source_id == registration.pk
    assert "鱼巷助老志愿服务" in volunteer.source_label
    assert volunteer.source_url == f"/d/{north.district.code}/events/{registration.event_id}/"
    assert credit["activities.servicelog"].source_id == log.pk
    assert credit["activities.servicelog"].points == 1
    # the credit shows in the sub-score: 80 + 3 + 1 on 公益参与, nothing for the other shop
    mine = Result.objects.get(period=period, merchant=shop)
    theirs = Result.objects.get(period=period, merchant=other)
    assert mine.dimension_tenths["charity"] == 840
    assert theirs.dimension_tenths["charity"] == 800
    assert not Adjustment.objects.filter(period=period, merchant=other).exists()
    # and the merchant's page says why, linking to the event
    explained = selectors.result_explained(result=mine)
    charity = next(d for d in explained["dimensions"] if d["code"] == "charity")
    assert {a.source_type for a in charity["adjustments"]} == {"activities.registration",
                                                               "activities.servicelog"}


def test_the_credit_is_capped_and_can_be_switched_off(north):
    owner = north.people[Role.MERCHANT]
    (shop,) = shops(north, 1, owner=owner)
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="ratings", values={"credit_public_service_cap": 2})
    period = period_factory(north)
    _scored(north, period, [shop])
    _volunteer(north, owner, hours=4)
    services.period_close(actor=north.people[Role.COMMITTEE], period=period)
    (row,) = Adjustment.objects.filter(period=period, merchant=shop)
    assert row.points == 2  # 4 hours, capped at 2
    rows = selectors.contributed_evidence(district=north.district, start=period.starts_on,
                                          end=period.ends_on + dt.timedelta(days=1), cap=0)
    assert rows == {}


def test_ratings_reads_activities_only_through_the_extension_point():
    here = Path(__file__).resolve().parents[1]
    for path in here.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text()
        assert "shangquan.activities" not in text and "from shangquan import activities" \
            not in text, path
