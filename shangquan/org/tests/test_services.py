import datetime as dt

import pytest

from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.org import selectors, services
from shangquan.org.models import MobileMember, OrgUnit

from .factories import party_member_factory, station_factory, unit_factory

pytestmark = pytest.mark.django_db


def test_levels_and_tree(north, south):
    actor = north.people[Role.COMMITTEE]
    levels = services.org_levels_set(actor=actor, district=north.district,
                                     names=["街道党工委", "商圈党委", "非公企业党支部"])
    top = services.org_unit_create(actor=actor, district=north.district, name="山腰街道党工委",
                                   level=levels[0])
    mid = services.org_unit_create(actor=actor, district=north.district, name="港市红商圈党委",
                                   parent=top)
    assert mid.level == levels[1]  # inferred from the parent
    leaf = services.org_unit_create(actor=actor, district=north.district, name="五号楼党支部",
                                    parent=mid)
    tree = selectors.org_tree(district=north.district)
    assert tree[0]["unit"] == top and tree[0]["children"][0]["children"][0]["unit"] == leaf
    with pytest.raises(ValidationFailed):
        services.org_unit_move(actor=actor, unit=top, parent=leaf)  # no cycles
    # Renaming levels keeps units; removing a used level is refused.
    services.org_levels_set(actor=actor, district=north.district,
                            names=["街道党工委", "商圈综合党委", "党支部"])
    with pytest.raises(Conflict):
        services.org_levels_set(actor=actor, district=north.district, names=["街道党工委"])
    with pytest.raises(PermissionDenied):
        services.org_unit_create(actor=north.people[Role.MERCHANT], district=north.district,
                                 name="x")
    with pytest.raises(NotFound):
        services.org_unit_create(actor=south.people[Role.COMMITTEE], district=north.district,
                                 name="x")


def test_alliance_agreement_instructor(north):
    actor = north.people[Role.COMMITTEE]
    alliance = unit_factory(north.district, name="凌河夜市功能型党委", kind=OrgUnit.Kind.FUNCTIONAL,
                            hotspot="主入口等候区")
    fire = unit_factory(north.district, name="凌河区消防救援大队", kind=OrgUnit.Kind.EXTERNAL)
    link = services.alliance_join(actor=actor, alliance=alliance, unit=fire, duty="消防巡查")
    assert link.unit == fire
    with pytest.raises(Conflict):
        services.alliance_join(actor=actor, alliance=alliance, unit=fire)
    with pytest.raises(ValidationFailed):
        services.alliance_join(actor=actor, alliance=fire, unit=alliance)
    agreement = services.agreement_create(actor=actor, district=north.district, title="共建协议",
                                          unit_a=alliance, unit_b=fire,
                                          starts_on=dt.date(2026, 1, 1),
                                          ends_on=dt.date(2026, 12, 31))
    assert agreement in selectors.agreement_list(district=north.district,
                                                 active_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationFailed):
        services.agreement_create(actor=actor, district=north.district, title="x",
                                  unit_a=alliance, unit_b=fire, starts_on=dt.date(2026, 2, 1),
                                  ends_on=dt.date(2026, 1, 1))
    instructor = party_member_factory(north.district, name="张指导员", phone="13800001111")
    services.instructor_assign(actor=actor, instructor=instructor, unit=alliance)
    instructor.refresh_from_db()
    assert instructor.is_instructor and instructor.phone == "13800001111"
    audit = AuditLog.objects.filter(action="org.member.create").latest("id")
    assert "13800001111" not in str(audit.after)


def test_mobile_member_check_in_and_registry(north, south):
    station = station_factory(north.district, name="凌河夜市党群服务站")
    other = station_factory(north.district, name="北门红色驿站")
    first = services.check_in(request=None, station=station, name="李明",
                              phone="+86 139-0000-1234", home_unit="黑山县某村党支部")
    assert first.member.phone == "13900001234"
    services.check_in(request=None, station=other, name="李明", phone="13900001234",
                      home_unit="黑山县某村党支部")
    member = MobileMember.objects.get(district=north.district, phone="13900001234")
    assert member.check_in_count == 2 and member.last_station == other
    services.check_in(request=None, station=station, name="王芳", phone="13900005678",
                      home_unit="义县某社区党支部")
    MobileMember.objects.filter(phone="13900005678").update(
        last_seen_at=first.created_at - dt.timedelta(days=40))
    viewer = north.people[Role.COMMITTEE]
    unseen = selectors.mobile_member_list(user=viewer, district=north.district, unseen_days=30)
    assert [m.name for m in unseen] == ["王芳"]
    counts = {s.name: s.check_in_count for s in selectors.station_list(district=north.district)}
    assert counts == {"凌河夜市党群服务站": 2, "北门红色驿站": 1}
    with pytest.raises(ValidationFailed) as exc:
        services.check_in(request=None, station=station, name="", phone="123", home_unit="")
    assert set(exc.value.details) == {"name", "phone", "home_unit"}
    with pytest.raises(PermissionDenied):
        selectors.mobile_member_list(user=north.people[Role.MERCHANT], district=north.district)
    with pytest.raises(NotFound):
        selectors.mobile_member_list(user=south.people[Role.COMMITTEE], district=north.district)
