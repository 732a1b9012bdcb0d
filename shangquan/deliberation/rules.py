"""Who a person is in deliberation: a verified phone, the shop they speak for, the voter
key of a convention's roll; working days for answer deadlines. Reads only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from shangquan.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from shangquan.core.models import District, Membership
from shangquan.core.pii import phone_normalize
from shangquan.core.roles import Role
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import can_edit_own, owned_merchant_ids, owns_merchant

from .models import College, Convention


def staff_of(district: District, *roles: str) -> list[Any]:
    return [m.user for m in Membership.objects.filter(district=district, role__in=roles,
                                                      is_active=True).select_related("user")]


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def require_person(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()


def verified_phone(actor: Any) -> str:
    """The phone the person proved by a one-time code (residents log in with it)."""
    require_person(actor)
    phone = getattr(getattr(actor, "profile", None), "phone", None)
    if not phone:
        raise PermissionDenied(_("请先用手机号验证登录"), code="phone_required")
    return phone


def owned_merchant(actor: Any, district: District, merchant: Merchant | None, *,
                   speaks: bool = True) -> Merchant:
    """The shop the person acts for, by the one ownership rule of ``merchants.policies``:
    ``speaks`` (votes, signatures, survey answers in the shop's name) needs its owner
    account or 经营者 (``can_edit_own``); otherwise any of its people (``owns_merchant``)."""
    require_person(actor)
    allowed = can_edit_own if speaks else owns_merchant
    if merchant is None:
        candidates = Merchant.objects.filter(
            district=district, pk__in=owned_merchant_ids(actor, district)).order_by("pk")
        merchant = next((m for m in candidates if allowed(actor, m)), None)
    if merchant is None or merchant.district_id != district.pk or not allowed(actor, merchant):
        raise PermissionDenied(_("只有商户经营者可以代表本店"), code="not_merchant_owner")
    return merchant


def licence_key(merchant: Merchant) -> str:
    return f"lic:{merchant.licence_no.strip().upper()}"


def phone_key(phone: str) -> str:
    return f"tel:{phone}"


def electorate_size(convention: Convention) -> dict[str, int]:
    """Merchants: open shops, one per licence. Residents: members with a verified phone."""
    district = convention.district
    sizes = {}
    if College.MERCHANT in convention.colleges:
        sizes[College.MERCHANT] = (Merchant.objects.filter(district=district,
                                                           status=Merchant.Status.OPEN)
                                   .values("licence_no").distinct().count())
    if College.RESIDENT in convention.colleges:
        sizes[College.RESIDENT] = (Membership.objects.filter(
            district=district, role=Role.RESIDENT, is_active=True,
            user__profile__phone__isnull=False).values("user").distinct().count())
    return sizes


def voter_for(*, actor: Any, convention: Convention, college: str | None = None,
              merchant: Merchant | None = None) -> tuple[str, str, Merchant | None]:
    """(college, voter key, merchant) for a signed-in person, or not_in_electorate."""
    require_person(actor)
    district = convention.district
    colleges = convention.colleges
    if college is None:
        college = College.MERCHANT if (merchant is not None or colleges == [College.MERCHANT]) \
            else College.RESIDENT
    if college not in colleges:
        raise PermissionDenied(_("您不在本公约的表决范围内"), code="not_in_electorate")
    if college == College.MERCHANT:
        try:
            shop = owned_merchant(actor, district, merchant)
        except PermissionDenied:
            raise PermissionDenied(_("只有本商圈商户的经营者可以表决"),
                                   code="not_in_electorate") from None
        if shop.status != Merchant.Status.OPEN:
            raise PermissionDenied(_("该商户不在营业状态"), code="not_in_electorate")
        return college, licence_key(shop), shop
    if convention.residents_members_only and "profile" not in actor._state.fields_cache:
        # the phone and the membership in one query (the vote intake path)
        found = Membership.objects.filter(district=district, user=actor, role=Role.RESIDENT,
                                          is_active=True).values_list("user__profile__phone",
                                                                      flat=True)[:1]
        if found:
            if not found[0]:
                raise PermissionDenied(_("请先用手机号验证登录"), code="phone_required")
            return college, phone_key(found[0]), None
    phone = getattr(getattr(actor, "profile", None), "phone", None)
    if not phone:
        raise PermissionDenied(_("请先用手机号验证登录"), code="phone_required")
    if convention.residents_members_only and not Membership.objects.filter(
            district=district, user=actor, role=Role.RESIDENT, is_active=True).exists():
        raise PermissionDenied(_("您不在本公约的表决范围内"), code="not_in_electorate")
    return college, phone_key(phone), None


def officer_voter(convention: Convention, *, phone: str = "", licence_no: str = ""
                  ) -> tuple[str, str, Merchant | None]:
    """The voter an officer names at a booth or on a paper ballot, checked against the roll."""
    district = convention.district
    if licence_no:
        if College.MERCHANT not in convention.colleges:
            raise PermissionDenied(_("本公约不由商户表决"), code="not_in_electorate")
        shop = Merchant.objects.filter(district=district, licence_no=licence_no.strip().upper(),
                                       status=Merchant.Status.OPEN).first()
        if shop is None:
            raise PermissionDenied(_("没有这个营业中的商户"), code="not_in_electorate")
        return College.MERCHANT, licence_key(shop), shop
    if phone:
        if College.RESIDENT not in convention.colleges:
            raise PermissionDenied(_("本公约不由居民表决"), code="not_in_electorate")
        number = phone_normalize(phone)
        if convention.residents_members_only and not Membership.objects.filter(
                district=district, role=Role.RESIDENT, is_active=True,
                user__profile__phone=number).exists():
            raise PermissionDenied(_("该居民不在本公约的表决范围内"), code="not_in_electorate")
        return College.RESIDENT, phone_key(number), None
    raise ValidationFailed(_("请填写投票人的执照号或手机号"), code="voter_required")
