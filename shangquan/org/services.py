"""Writes for the party organisation: levels, units, alliances, agreements, members,
instructors, liaison stations and mobile members' check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies, ratelimit
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, ValidationFailed
from shangquan.core.models import District, Profile
from shangquan.core.pii import phone_mask, phone_normalize

from .models import (
    Agreement,
    AllianceMember,
    CheckIn,
    InstructorAssignment,
    LiaisonStation,
    MobileMember,
    OrgLevel,
    OrgUnit,
    PartyMember,
)


def _require(actor: Any, district: District, action: str = "org.manage") -> None:
    policies.require(actor, action, district)


def _same_district(district: District, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.district_id != district.pk:
            raise ValidationFailed(_("不属于本商圈"), code="foreign_object")


@audited("org.levels.set")
@transaction.atomic
def org_levels_set(*, actor: Any, district: District, names: list[str]) -> list[OrgLevel]:
    """Configure the tree's levels top-down (renaming keeps units on their level)."""
    _require(actor, district)
    names = [n.strip() for n in names if n and n.strip()]
    if not names or len(names) > 8 or len(set(names)) != len(names):
        raise ValidationFailed(_("请填写 1–8 个不重复的层级名称"), code="bad_levels")
    before = list(OrgLevel.objects.filter(district=district).values_list("name", flat=True))
    existing = {lv.depth: lv for lv in OrgLevel.objects.filter(district=district)}
    # Names are unique per district: park the old ones before renaming.
    for lv in existing.values():
        lv.name = f"~{lv.pk}"
        lv.save(update_fields=["name"])
    levels = []
    for depth, name in enumerate(names, start=1):
        level = existing.pop(depth, None) or OrgLevel(district=district, depth=depth)
        level.name = name
        level.save()
        levels.append(level)
    for leftover in existing.values():
        if leftover.units.exists():
            raise Conflict(_("还有组织在“%(d)s”层级，不能删除") % {"d": leftover.depth},
                           code="level_in_use")
        leftover.delete()
    audit_record(actor=actor, district=district, action="org.levels.set",
                 object_type="org.orglevel", object_id="*", before={"levels": before},
                 after={"levels": names})
    return levels


@audited("org.unit.create")
@transaction.atomic
def org_unit_create(*, actor: Any, district: District, name: str,
                    kind: str = OrgUnit.Kind.TREE, parent: OrgUnit | None = None,
                    level: OrgLevel | None = None, hotspot: str = "", policy: str = "",
                    description: str = "") -> OrgUnit:
    _require(actor, district)
    _same_district(district, parent, level)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("名称不能为空"), code="name_required")
    if kind not in OrgUnit.Kind.values:
        raise ValidationFailed(_("未知的组织类型"), code="unknown_kind")
    if kind == OrgUnit.Kind.TREE and parent is not None and level is not None \
            and parent.level is not None and level.depth <= parent.level.depth:
        raise ValidationFailed(_("下级组织的层级应低于上级"), code="level_order")
    if kind == OrgUnit.Kind.TREE and level is None and parent is not None and parent.level:
        level = OrgLevel.objects.filter(district=district,
                                        depth=parent.level.depth + 1).first()
    if OrgUnit.objects.filter(district=district, name=name).exists():
        raise Conflict(_("同名组织已存在"), code="unit_exists")
    unit = OrgUnit.objects.create(district=district, name=name, kind=kind, parent=parent,
                                  level=level, hotspot=hotspot, policy=policy,
                                  description=description)
    audit_record(actor=actor, district=district, obj=unit, action="org.unit.create",
                 after=snapshot(unit))
    return unit


@audited("org.unit.move")
@transaction.atomic
def org_unit_move(*, actor: Any, unit: OrgUnit, parent: OrgUnit | None) -> OrgUnit:
    _require(actor, unit.district)
    _same_district(unit.district, parent)
    node = parent
    while node is not None:  # no cycles
        if node.pk == unit.pk:
            raise ValidationFailed(_("不能移到自己的下级"), code="cycle")
        node = node.parent
    before = snapshot(unit)
    unit.parent = parent
    unit.save(update_fields=["parent"])
    audit_record(actor=actor, district=unit.district, obj=unit, action="org.unit.move",
                 before=before, after=snapshot(unit))
    return unit


@audited("org.alliance.join")
@transaction.atomic
def alliance_join(*, actor: Any, alliance: OrgUnit, unit: OrgUnit,
                  duty: str = "") -> AllianceMember:
    _require(actor, alliance.district)
    _same_district(alliance.district, unit)
    if alliance.kind not in (OrgUnit.Kind.ALLIANCE, OrgUnit.Kind.FUNCTIONAL):
        raise ValidationFailed(_("只能加入功能型党委或党建联盟"), code="not_alliance")
    if alliance.pk == unit.pk:
        raise ValidationFailed(_("不能加入自己"), code="self_join")
    try:
        with transaction.atomic():
            link = AllianceMember.objects.create(district=alliance.district, alliance=alliance,
                                                 unit=unit, duty=duty)
    except IntegrityError:
        raise Conflict(_("该单位已在联盟中"), code="already_member") from None
    audit_record(actor=actor, district=alliance.district, obj=link, action="org.alliance.join",
                 after=snapshot(link))
    return link


@audited("org.agreement.create")
@transaction.atomic
def agreement_create(*, actor: Any, district: District, title: str, unit_a: OrgUnit,
                     unit_b: OrgUnit, starts_on: dt.date, ends_on: dt.date | None = None,
                     kind: str = Agreement.Kind.AGREEMENT, content: str = "") -> Agreement:
    _require(actor, district)
    _same_district(district, unit_a, unit_b)
    if unit_a.pk == unit_b.pk:
        raise ValidationFailed(_("共建双方不能是同一单位"), code="same_unit")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期"), code="dates_reversed")
    if kind not in Agreement.Kind.values:
        raise ValidationFailed(_("未知的共建类型"), code="unknown_kind")
    agreement = Agreement.objects.create(district=district, title=title.strip() or _("共建协议"),
                                         unit_a=unit_a, unit_b=unit_b, starts_on=starts_on,
                                         ends_on=ends_on, kind=kind, content=content)
    audit_record(actor=actor, district=district, obj=agreement, action="org.agreement.create",
                 after=snapshot(agreement))
    return agreement


@audited("org.member.create")
@transaction.atomic
def party_member_create(*, actor: Any, district: District, unit: OrgUnit, name: str,
                        role: str = PartyMember.Role.MEMBER, phone: str = "", user: Any = None,
                        is_instructor: bool = False,
                        joined_on: dt.date | None = None) -> PartyMember:
    _require(actor, district)
    _same_district(district, unit)
    if role not in PartyMember.Role.values:
        raise ValidationFailed(_("未知的党内职务"), code="unknown_role")
    if not name.strip():
        raise ValidationFailed(_("姓名不能为空"), code="name_required")
    member = PartyMember.objects.create(district=district, unit=unit, name=name.strip(),
                                        role=role, phone=phone_normalize(phone) if phone else "",
                                        user=user, is_instructor=is_instructor,
                                        joined_on=joined_on)
    after = snapshot(member)
    after["phone"] = phone_mask(member.phone)
    audit_record(actor=actor, district=district, obj=member, action="org.member.create",
                 after=after)
    return member


@audited("org.instructor.assign")
@transaction.atomic
def instructor_assign(*, actor: Any, instructor: PartyMember, unit: OrgUnit,
                      assigned_on: dt.date | None = None) -> InstructorAssignment:
    district = instructor.district
    _require(actor, district)
    _same_district(district, unit)
    try:
        with transaction.atomic():
            link = InstructorAssignment.objects.create(
                district=district, instructor=instructor, unit=unit,
                assigned_on=assigned_on or timezone.localdate())
    except IntegrityError:
        raise Conflict(_("已派驻到该组织"), code="already_assigned") from None
    if not instructor.is_instructor:
        PartyMember.objects.filter(pk=instructor.pk).update(is_instructor=True)
    audit_record(actor=actor, district=district, obj=link, action="org.instructor.assign",
                 after=snapshot(link))
    return link


@audited("org.station.create")
@transaction.atomic
def station_create(*, actor: Any, district: District, name: str, address: str = "",
                   unit: OrgUnit | None = None) -> LiaisonStation:
    _require(actor, district, "station.manage")
    _same_district(district, unit)
    if not name.strip():
        raise ValidationFailed(_("名称不能为空"), code="name_required")
    if LiaisonStation.objects.filter(district=district, name=name.strip()).exists():
        raise Conflict(_("同名联络站已存在"), code="station_exists")
    station = LiaisonStation.objects.create(district=district, name=name.strip(),
                                            address=address, unit=unit)
    audit_record(actor=actor, district=district, obj=station, action="org.station.create",
                 after=snapshot(station))
    return station


def _holds_phone(request: Any, phone: str) -> bool:
    """Whether the caller is signed in as the person who proved (by a code) this phone."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    return Profile.objects.filter(user=user, phone=phone,
                                  phone_verified_at__isnull=False).exists()


@audited("org.member.check_in")
def check_in(*, request: Any, station: LiaisonStation, name: str, phone: str,
             home_unit: str) -> CheckIn:
    """A mobile party member scans a station's code: anonymous, rate-limited per phone.

    Knowing a member's phone is not being them: an existing member's name and home unit
    change only when the caller is signed in with that verified phone, and only then is
    their check-in count shown (``record.member_check_ins``, else None). Anyone else's scan is counted as a
    check-in and changes nothing else."""
    name, home_unit = name.strip()[:40], home_unit.strip()[:120]
    errors = {}
    if not name:
        errors["name"] = _("请填写姓名")
    if not home_unit:
        errors["home_unit"] = _("请填写组织关系所在党组织")
    try:
        phone = phone_normalize(phone)
    except ValidationFailed as exc:
        errors["phone"] = str(exc.message)
    if errors:
        raise ValidationFailed(details=errors)
    if not station.is_active:
        raise ValidationFailed(_("该联络站已停用"), code="station_inactive")
    if request is not None:
        ratelimit.hit(f"checkin:ip:{ratelimit.client_ip(request)}", limit=60, window=3600)
    ratelimit.hit(f"checkin:phone:{phone}", limit=10, window=3600)
    record = _check_in_write(station=station, name=name, phone=phone, home_unit=home_unit,
                             holder=_holds_phone(request, phone))
    return record


@transaction.atomic
def _check_in_write(*, station: LiaisonStation, name: str, phone: str,
                    home_unit: str, holder: bool) -> CheckIn:
    district, now = station.district, timezone.now()
    member = MobileMember.objects.select_for_update(of=("self",)).filter(district=district,
                                                             phone=phone).first()
    if member is None:
        try:
            with transaction.atomic():
                member = MobileMember.objects.create(
                    district=district, name=name, phone=phone, home_unit=home_unit,
                    first_seen_at=now, last_seen_at=now, last_station=station, check_in_count=1)
        except IntegrityError:  # the same phone checked in twice at once: the other won
            member = MobileMember.objects.select_for_update(of=("self",)).get(district=district,
                                                                  phone=phone)
        else:
            member.created_now = True
    changed = {}
    if not getattr(member, "created_now", False):
        if holder:
            changed = {"name": name, "home_unit": home_unit}
        MobileMember.objects.filter(pk=member.pk).update(
            last_seen_at=now, last_station=station,
            check_in_count=F("check_in_count") + 1, **changed)
    record = CheckIn.objects.create(district=district, member=member, station=station,
                                    created_at=now)
    # The member's own count, for the member only (None for anyone else).
    record.member_check_ins = (MobileMember.objects.values_list("check_in_count", flat=True)
                               .get(pk=member.pk) if holder else None)
    audit_record(actor=SYSTEM, district=district, obj=record, action="org.member.check_in",
                 actor_label=phone_mask(phone),
                 after={"station": station.pk, "member": member.pk,
                        "new_member": bool(getattr(member, "created_now", False)),
                        "holder": holder, "changed": sorted(changed)})
    return record


@audited("org.member.erase")
@transaction.atomic
def member_erase(*, actor: Any, user: Any, phone: str) -> int:
    """PIPL art. 47 (``Contributions.person_erased``): a mobile member known by this phone
    leaves the registry with their check-ins; a party member linked to the account or
    the phone keeps their roster entry (the organisation's record) without the link and
    the phone. One audit row per district touched, with the counts."""
    mobile = MobileMember.objects.filter(phone=phone) if phone else MobileMember.objects.none()
    party = PartyMember.objects.filter(Q(user=user) | Q(phone=phone) if phone else Q(user=user))
    districts = set(mobile.values_list("district_id", flat=True)) | set(
        party.values_list("district_id", flat=True))
    touched = 0
    for district_id in sorted(districts):
        mobile_ids = list(mobile.filter(district_id=district_id).values_list("pk", flat=True))
        CheckIn.objects.filter(member_id__in=mobile_ids).delete()
        MobileMember.objects.filter(pk__in=mobile_ids).delete()
        unlinked = PartyMember.objects.filter(
            pk__in=list(party.filter(district_id=district_id).values_list("pk", flat=True))
        ).update(user=None, phone="")
        touched += len(mobile_ids) + unlinked
        audit_record(actor=actor, district=District.objects.get(pk=district_id),
                     action="org.member.erase", object_type="org.member", object_id="*",
                     after={"mobile_members": len(mobile_ids), "party_members": unlinked})
    return touched
