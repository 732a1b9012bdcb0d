"""A quarter end to end through the services, and the refusals: bad input and races."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.ratings import services
from shangquan.ratings.models import (
    Adjustment,
    Appeal,
    Flag,
    Period,
    ResidentScore,
    Result,
    Score,
    Title,
    TitleKind,
)
from shangquan.scales import services as scale_services
from shangquan.scales.tests.factories import instrument_factory

from .factories import all_dims, association_factory, period_factory, resident, second_staff, shops

pytestmark = pytest.mark.django_db


def _score_all(persona, period, merchants, value, *, association=None, community=None):
    association = association or persona.people[Role.ASSOCIATION]
    community = community or persona.people[Role.COMMUNITY]
    for m in merchants:
        services.score_record(actor=association, period=period, merchant=m,
                              scores=all_dims(period, value))
        services.score_record(actor=community, period=period, merchant=m,
                              scores=all_dims(period, value))


def _close_and_publish(persona, period):
    committee = persona.people[Role.COMMITTEE]
    services.period_close(actor=committee, period=period)
    return services.period_publish(actor=committee, period=period, force=True)


def test_default_scheme_has_six_dimensions_three_parties(north):
    period = period_factory(north)
    assert [d["name"] for d in period.dimensions] == [
        "卫生", "服务", "诚信计量/明码标价", "安全", "门前三包/外摆", "公益参与"]
    assert period.shares == {"association": 40, "community": 30, "residents": 30}
    assert period.status == Period.Status.SCORING
    # a quarter by default
    assert period.starts_on.day == 1 and period.starts_on.month in (1, 4, 7, 10)
    assert (period.ends_on + dt.timedelta(days=1)).month in (1, 4, 7, 10)
    assert TitleKind.objects.filter(district=north.district, name="放心店").exists()


def test_a_quarter_end_to_end(north):
    committee = north.people[Role.COMMITTEE]
    owner = north.people[Role.MERCHANT]
    period = period_factory(north)
    good, cheat, *rest = shops(north, 4, owner=owner)
    # evidence: a failed spot check at the cheat
    scale = instrument_factory(north.district, cheat)
    check = scale_services.spot_check_record(actor=north.people[Role.DEPARTMENT],
                                             district=north.district, instrument=scale,
                                             load_g="1000", indications=["1030"])
    assert check.passed is False
    _score_all(north, period, [good, cheat, *rest], 92)
    for i in range(5):
        services.resident_score_record(actor=resident(north, i), merchant=good, stars=5)
    services.period_close(actor=committee, period=period)
    period.refresh_from_db()
    assert period.status == Period.Status.PROVISIONAL
    results = {r.merchant_id: r for r in Result.objects.filter(period=period)}
    assert len(results) == 4
    # the deduction links to the failed check
    adj = Adjustment.objects.get(period=period, merchant=cheat)
    assert (adj.rule, adj.source_type, adj.source_id, adj.points, adj.dimension) == (
        "spot_check", "scales.spotcheck", check.pk, -5, "integrity")
    assert results[cheat.pk].dimension_tenths["integrity"] == 870
    assert results[good.pk].resident_count == 5
    assert results[good.pk].party_tenths["residents"] == 1000
    # good: 0.4·92 + 0.3·92 + 0.3·100 = 94.4 on every dimension
    assert results[good.pk].total_tenths == 944 and results[good.pk].grade == "excellent"

    # the merchant replies publicly and appeals; a committee member who scored may not
    # decide; another one decides with a reason and voids the deduction
    good_result = results[good.pk]
    services.result_reply(actor=owner, result=good_result, text="感谢街坊评价，我们继续努力。")
    appeal = services.appeal_file(actor=owner, result=good_result, reason="服务分偏低")
    with pytest.raises(ValidationFailed):
        services.appeal_decide(actor=committee, appeal=appeal, uphold=False, decision="")
    decided = services.appeal_decide(actor=committee, appeal=appeal, uphold=False,
                                     decision="评分依据充分，维持原评")
    assert decided.status == Appeal.Status.DISMISSED and decided.decided_by == committee
    with pytest.raises(InvalidTransition):
        services.appeal_decide(actor=committee, appeal=appeal, uphold=True, decision="再议")

    published = services.period_publish(actor=committee, period=period, force=True)
    assert published.status == Period.Status.PUBLISHED
    again = services.period_publish(actor=committee, period=period, force=True)
    assert again.status == Period.Status.PUBLISHED
    assert AuditLog.objects.filter(action="ratings.period.publish", object_id=str(period.pk)).count() == 1
    flag = Flag.objects.get(period=period)
    assert flag.merchant_id == good.pk and flag.association_id == good.association_id


def test_scorer_may_not_decide_the_appeal(north):
    committee = north.people[Role.COMMITTEE]
    owner = north.people[Role.MERCHANT]
    period = period_factory(north)
    (shop,) = shops(north, 1, owner=owner)
    # a committee member who is also an association scorer
    scorer = second_staff(north, Role.ASSOCIATION)
    from shangquan.core import services as core_services
    from shangquan.core.actors import SYSTEM
    core_services.membership_grant(actor=SYSTEM, district=north.district, user=scorer,
                                   role=Role.COMMITTEE)
    services.score_record(actor=scorer, period=period, merchant=shop, scores=all_dims(period, 70))
    services.period_close(actor=committee, period=period)
    result = Result.objects.get(period=period, merchant=shop)
    appeal = services.appeal_file(actor=owner, result=result, reason="评分人与我有矛盾")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=scorer, appeal=appeal, uphold=True, decision="成立")
    with pytest.raises(Conflict) as twice:
        services.appeal_file(actor=owner, result=result, reason="再申诉")
    assert twice.value.code == "appeal_exists"


def test_an_upheld_appeal_voids_the_deduction_and_recomputes(north):
    committee, owner = north.people[Role.COMMITTEE], north.people[Role.MERCHANT]
    period = period_factory(north)
    (shop,) = shops(north, 1, owner=owner)
    scale = instrument_factory(north.district, shop)
    scale_services.spot_check_record(actor=north.people[Role.DEPARTMENT], district=north.district,
                                     instrument=scale, load_g="1000", indications=["1030"])
    _score_all(north, period, [shop], 90)
    services.period_close(actor=committee, period=period)
    result = Result.objects.get(period=period, merchant=shop)
    assert result.dimension_tenths["integrity"] == 850
    adj = Adjustment.objects.get(period=period, merchant=shop)
    appeal = services.appeal_file(actor=owner, result=result, reason="当天秤已送检，查验的是备用秤")
    services.appeal_decide(actor=committee, appeal=appeal, uphold=True,
                           decision="核实为备用秤，撤销该扣分", void_adjustments=[adj.pk])
    result.refresh_from_db()
    adj.refresh_from_db()
    assert adj.voided and adj.void_reason.startswith("核实为备用秤")
    assert result.dimension_tenths["integrity"] == 900 and result.total_tenths == 900
    # the failed check also opened a serious rectification, still open: it caps at 良好
    assert result.band_grade == "excellent" and result.grade == "good"
    assert result.cap_reasons == ["open_serious_rectification"]


def test_bad_scores_are_refused_and_the_earlier_score_stays(north):
    period = period_factory(north)
    (shop,) = shops(north, 1)
    staff = north.people[Role.ASSOCIATION]
    services.score_record(actor=staff, period=period, merchant=shop, scores={"hygiene": 80})
    for bad in (101, -1, "八十"):
        with pytest.raises(ValidationFailed) as refused:
            services.score_record(actor=staff, period=period, merchant=shop,
                                  scores={"hygiene": bad})
        assert refused.value.code == "score_out_of_range"
    with pytest.raises(ValidationFailed):
        services.score_record(actor=staff, period=period, merchant=shop, scores={"nope": 80})
    assert Score.objects.get(period=period, merchant=shop).value == 80
    # a resident twice
    person = resident(north, 1)
    services.resident_score_record(actor=person, merchant=shop, stars=4)
    with pytest.raises(Conflict) as twice:
        services.resident_score_record(actor=person, merchant=shop, stars=1)
    assert twice.value.code == "already_scored"
    assert ResidentScore.objects.get(merchant=shop).stars == 4
    with pytest.raises(ValidationFailed):
        services.resident_score_record(actor=resident(north, 2), merchant=shop, stars=6)
    # a department is no scoring party; after the close nobody scores
    with pytest.raises(PermissionDenied):
        services.score_record(actor=north.people[Role.DEPARTMENT], period=period, merchant=shop,
                              scores={"hygiene": 10})
    services.period_close(actor=north.people[Role.COMMITTEE], period=period)
    with pytest.raises(Conflict) as closed:
        services.score_record(actor=staff, period=period, merchant=shop, scores={"hygiene": 10})
    assert closed.value.code == "period_closed"
    with pytest.raises(Conflict):
        services.resident_score_record(actor=resident(north, 3), merchant=shop, stars=5)
    assert Score.objects.get(period=period, merchant=shop).value == 80


def test_two_staff_at_once_both_keep_their_scores_and_a_stale_grid_conflicts(north):
    period = period_factory(north)
    (shop,) = shops(north, 1)
    first, second = north.people[Role.ASSOCIATION], second_staff(north, Role.ASSOCIATION)
    # both opened the grid when nothing was scored (version 0)
    services.score_record(actor=first, period=period, merchant=shop, scores={"hygiene": 80},
                          versions={"hygiene": 0})
    services.score_record(actor=second, period=period, merchant=shop, scores={"hygiene": 60},
                          versions={"hygiene": 0})
    assert sorted(Score.objects.filter(period=period).values_list("value", flat=True)) == [60, 80]
    # the first rater's other phone still shows version 0: refused, nothing lost
    with pytest.raises(Conflict) as stale:
        services.score_record(actor=first, period=period, merchant=shop, scores={"hygiene": 99},
                              versions={"hygiene": 0})
    assert stale.value.code == "score_changed"
    row = Score.objects.get(period=period, rater=first)
    assert row.value == 80 and row.version == 1
    services.score_record(actor=first, period=period, merchant=shop, scores={"hygiene": 85},
                          versions={"hygiene": 1})
    row.refresh_from_db()
    assert row.value == 85 and row.version == 2


def test_flag_passes_on_and_history_is_kept(north):
    assoc = association_factory(north)
    a, b = shops(north, 2, association=assoc)
    first = period_factory(north, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))
    services.score_record(actor=north.people[Role.ASSOCIATION], period=first, merchant=a,
                          scores=all_dims(first, 95))
    services.score_record(actor=north.people[Role.ASSOCIATION], period=first, merchant=b,
                          scores=all_dims(first, 85))
    _close_and_publish(north, first)
    second = period_factory(north, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30))
    services.score_record(actor=north.people[Role.ASSOCIATION], period=second, merchant=a,
                          scores=all_dims(second, 80))
    services.score_record(actor=north.people[Role.ASSOCIATION], period=second, merchant=b,
                          scores=all_dims(second, 93))
    _close_and_publish(north, second)
    flags = list(Flag.objects.filter(association=assoc).order_by("period__starts_on")
                 .values_list("merchant_id", flat=True))
    assert flags == [a.pk, b.pk]
    from shangquan.ratings.selectors import flag_holders
    assert [f.merchant_id for f in flag_holders(district=north.district)] == [b.pk]


def test_flag_tie_goes_to_fewer_substantiated_complaints(north):
    assoc = association_factory(north)
    a, b = shops(north, 2, association=assoc)
    period = period_factory(north)
    for m in (a, b):
        services.score_record(actor=north.people[Role.ASSOCIATION], period=period, merchant=m,
                              scores=all_dims(period, 90))
    services.period_close(actor=north.people[Role.COMMITTEE], period=period)
    Result.objects.filter(period=period, merchant=a).update(complaints=1)
    services.period_publish(actor=north.people[Role.COMMITTEE], period=period, force=True)
    assert Flag.objects.get(period=period).merchant_id == b.pk


def test_publish_waits_for_the_provisional_window(north):
    period = period_factory(north)
    shops(north, 1)
    services.period_close(actor=north.people[Role.COMMITTEE], period=period)
    with pytest.raises(Conflict) as early:
        services.period_publish(actor=north.people[Role.COMMITTEE], period=period)
    assert early.value.code == "provisional_window_open"
    Period.objects.filter(pk=period.pk).update(
        provisional_at=timezone.now() - dt.timedelta(days=8))
    period.refresh_from_db()
    assert services.period_publish(actor=north.people[Role.COMMITTEE],
                                   period=period).status == "published"


def test_year_end_fair_grade_delists_the_title_with_a_public_reason(north):
    committee = north.people[Role.COMMITTEE]
    shop, other = shops(north, 2)
    period = period_factory(north, starts_on=dt.date(2025, 10, 1), ends_on=dt.date(2025, 12, 31))
    kind = TitleKind.objects.get(district=north.district, name="放心店")
    title = services.title_propose(actor=committee, district=north.district, merchant=shop,
                                   kind=kind, reason="诚信遴选")
    services.title_transition(actor=committee, title=title, action="list")
    kept = services.title_propose(actor=committee, district=north.district, merchant=other,
                                  kind=kind)
    services.title_transition(actor=committee, title=kept, action="list")
    assert period.year_end
    services.score_record(actor=north.people[Role.ASSOCIATION], period=period, merchant=shop,
                          scores=all_dims(period, 70))
    services.score_record(actor=north.people[Role.ASSOCIATION], period=period, merchant=other,
                          scores=all_dims(period, 88))
    _close_and_publish(north, period)
    title.refresh_from_db()
    kept.refresh_from_db()
    assert title.status == Title.Status.DELISTED and title.public_reason == "年终评定为一般"
    assert kept.status == Title.Status.LISTED
    # relisting needs a period at 良好 or better
    with pytest.raises(Conflict) as refused:
        services.title_transition(actor=committee, title=title, action="relist")
    assert refused.value.code == "relist_needs_good_period"
    assert AuditLog.objects.filter(action="ratings.title.delist", object_id=str(title.pk)).exists()


def test_sweep_delists_after_two_substantiated_complaints(north):
    from shangquan.workorders.tests.factories import advance, order_factory

    committee = north.people[Role.COMMITTEE]
    (shop,) = shops(north, 1)
    kind = TitleKind.objects.create(district=north.district, code="fx", name="放心店测试")
    title = services.title_propose(actor=committee, district=north.district, merchant=shop,
                                   kind=kind)
    services.title_transition(actor=committee, title=title, action="list")
    assert services.titles_sweep(district=north.district) == 0
    for _ in range(2):
        advance(north, order_factory(north, merchant=shop), "resolved")
    assert services.titles_sweep(district=north.district) == 1
    title.refresh_from_db()
    assert title.status == Title.Status.DELISTED and "查实投诉 2 件" in title.public_reason


def test_rerating_once_per_period_and_it_recomputes(north):
    committee, owner = north.people[Role.COMMITTEE], north.people[Role.MERCHANT]
    period = period_factory(north)
    (shop,) = shops(north, 1, owner=owner)
    staff = north.people[Role.ASSOCIATION]
    services.score_record(actor=staff, period=period, merchant=shop, scores=all_dims(period, 70))
    services.period_close(actor=committee, period=period)
    result = Result.objects.get(period=period, merchant=shop)
    assert result.grade == "fair"
    with pytest.raises(Conflict):  # closed for scoring until a re-rating is asked for
        services.score_record(actor=staff, period=period, merchant=shop, scores=all_dims(period, 90))
    rerating = services.rerating_request(actor=owner, result=result, note="已更换灶台、清理后厨")
    with pytest.raises(Conflict) as twice:
        services.rerating_request(actor=owner, result=result, note="再来一次")
    assert twice.value.code == "rerating_exists"
    result.refresh_from_db()
    assert result.rerating == "requested"
    services.score_record(actor=staff, period=period, merchant=shop, scores=all_dims(period, 90))
    redone = services.rerating_complete(actor=committee, rerating=rerating)
    assert redone.total_tenths == 900 and redone.rerating == "done"


def test_periods_are_scoped_to_their_district(north, south):
    period = period_factory(north)
    (theirs,) = shops(south, 1)
    with pytest.raises(NotFound):
        services.score_record(actor=north.people[Role.ASSOCIATION], period=period,
                              merchant=theirs, scores={"hygiene": 80})
    with pytest.raises(NotFound):  # a stranger to the district sees nothing
        services.period_close(actor=south.people[Role.COMMITTEE], period=period)


def test_an_appeal_names_the_deductions_it_contests_and_the_decision_voids_them(north, south):
    committee, owner = north.people[Role.COMMITTEE], north.people[Role.MERCHANT]
    period = period_factory(north)
    shop, neighbour = shops(north, 2, owner=owner)
    for merchant in (shop, neighbour):
        scale = instrument_factory(north.district, merchant)
        for _ in range(2):
            scale_services.spot_check_record(actor=north.people[Role.DEPARTMENT],
                                             district=north.district, instrument=scale,
                                             load_g="1000", indications=["1030"])
    _score_all(north, period, [shop, neighbour], 90)
    services.period_close(actor=committee, period=period)
    result = Result.objects.get(period=period, merchant=shop)
    first, second = Adjustment.objects.filter(period=period, merchant=shop).order_by("pk")
    theirs = Adjustment.objects.filter(period=period, merchant=neighbour).first()
    # another district's deduction, and another shop's: unknown, same as not there
    far_period = period_factory(south)
    (far_shop,) = shops(south, 1)
    far_scale = instrument_factory(south.district, far_shop)
    scale_services.spot_check_record(actor=south.people[Role.DEPARTMENT], district=south.district,
                                     instrument=far_scale, load_g="1000", indications=["1030"])
    services.period_close(actor=south.people[Role.COMMITTEE], period=far_period)
    far = Adjustment.objects.get(period=far_period, merchant=far_shop)
    for wrong in (far.pk, theirs.pk, 10 ** 9):
        with pytest.raises(ValidationFailed) as exc:
            services.appeal_file(actor=owner, result=result, reason="复核", adjustments=[wrong])
        assert exc.value.code == "unknown_adjustment"
    assert not Appeal.objects.filter(result=result).exists()
    appeal = services.appeal_file(actor=owner, result=result, reason="第一次查验的是备用秤",
                                  adjustments=[first.pk])
    assert appeal.contested_adjustments == [first.pk]
    with pytest.raises(ValidationFailed) as exc:  # only what the appeal contested
        services.appeal_decide(actor=committee, appeal=appeal, uphold=True, decision="核实",
                               void_adjustments=[second.pk])
    assert exc.value.code == "unknown_adjustment"
    services.appeal_decide(actor=committee, appeal=appeal, uphold=True,
                           decision="核实为备用秤，撤销该次扣分")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.voided and not second.voided
    appeal.refresh_from_db()
    assert appeal.voided_adjustments == [first.pk]
    result.refresh_from_db()
    assert result.dimension_tenths["integrity"] == 850  # 90 − 5 (one of two deductions left)
    row = AuditLog.objects.get(action="ratings.adjustment.void", object_id=str(first.pk))
    assert row.before["voided"] is False and row.after["voided"] is True
    assert row.after["appeal"] == appeal.pk
