"""Writes for merchants, associations, staff and photos. Grids: grids.py; rosters: rosters.py."""

from __future__ import annotations

import decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import District
from shangquan.core.pii import phone_normalize, photos_clean
from shangquan.org.models import PartyMember

from . import policies as merchant_policies
from .grids import grid_nearest
from .licences import licence_check
from .models import Association, Grid, Merchant, MerchantPhoto, MerchantStaff
from .public import fragment_forget

EDITABLE = {"name", "licence_no", "category", "address", "stall_no", "latitude", "longitude",
            "contact_name", "phone", "opening_hours", "outdoor_area", "association", "grid",
            "is_party_member", "party_badge", "party_member", "commit_identity",
            "commit_duty", "commit_promise", "owner"}
# What an owner may change on their own shop page.
OWNER_EDITABLE = {"opening_hours", "phone", "contact_name", "commit_identity", "commit_duty",
                  "commit_promise"}


def _clean_fields(district: District, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise; raises ValidationFailed with Chinese messages per field."""
    errors: dict[str, str] = {}
    out = dict(fields)
    unknown = set(out) - EDITABLE
    if unknown:
        raise ValidationFailed(_("不能修改这些字段"), code="unknown_fields",
                               details={"fields": sorted(unknown)})
    if "name" in out:
        out["name"] = str(out["name"] or "").strip()
        if not out["name"]:
            errors["name"] = _("商户名称不能为空")
    if "category" in out:
        out["category"] = str(out["category"] or "").strip()
        if not out["category"]:
            errors["category"] = _("经营类别不能为空")
    if "licence_no" in out:
        value, kind, error = licence_check(out["licence_no"])
        out["licence_no"] = value
        out["licence_kind"] = kind or Merchant.LicenceKind.USCC
        if error:
            errors["licence_no"] = error
    if out.get("phone"):
        try:
            out["phone"] = phone_normalize(out["phone"])
        except ValidationFailed as exc:
            errors["phone"] = str(exc.message)
    if out.get("outdoor_area") not in (None, ""):
        try:
            area = decimal.Decimal(str(out["outdoor_area"]))
        except decimal.InvalidOperation:
            errors["outdoor_area"] = _("外摆面积应为数字")
        else:
            if area < 0 or area > 10000:
                errors["outdoor_area"] = _("外摆面积应在 0–10000 平方米之间")
            out["outdoor_area"] = area.quantize(decimal.Decimal("0.01"))
    elif "outdoor_area" in out:
        out["outdoor_area"] = None
    for axis, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if out.get(axis) in (None, ""):
            if axis in out:
                out[axis] = None
            continue
        try:
            value = decimal.Decimal(str(out[axis])).quantize(decimal.Decimal("0.000001"))
        except decimal.InvalidOperation:
            errors[axis] = _("坐标应为数字")
            continue
        if not low <= value <= high:
            errors[axis] = _("坐标超出范围")
        out[axis] = value
    for key, model in (("association", Association), ("grid", Grid)):
        value = out.get(key)
        if value is not None and not isinstance(value, model):
            value = model.objects.filter(district=district, pk=value).first()
            if value is None:
                errors[key] = _("不属于本商圈")
            out[key] = value
        elif value is not None and value.district_id != district.pk:
            errors[key] = _("不属于本商圈")
    member = out.get("party_member")
    if member is not None:
        if not isinstance(member, PartyMember):
            member = PartyMember.objects.filter(district=district, pk=member).first()
        if member is None or member.district_id != district.pk:
            errors["party_member"] = _("不属于本商圈")
        out["party_member"] = member
    if out.get("party_badge") and out.get("party_badge") not in Merchant.PartyBadge.values:
        errors["party_badge"] = _("未知的党员标识")
    if errors:
        raise ValidationFailed(details=errors)
    return out


def _forget_page(merchant: Merchant) -> None:
    token = merchant.public_token
    transaction.on_commit(lambda: fragment_forget(token))


def _apply_party_rules(merchant: Merchant) -> None:
    # A badge or linked member only makes sense for a party-member merchant.
    if merchant.party_member_id and not merchant.is_party_member:
        merchant.is_party_member = True
    if merchant.is_party_member and not merchant.party_badge:
        merchant.party_badge = Merchant.PartyBadge.SHOP
    if not merchant.is_party_member:
        merchant.party_badge = ""


@audited("merchants.merchant.create")
@transaction.atomic
def merchant_create(*, actor: Any, district: District, name: str, licence_no: str,
                    category: str, **fields: Any) -> Merchant:
    policies.require(actor, "merchant.create", district)
    data = _clean_fields(district, {"name": name, "licence_no": licence_no,
                                    "category": category, **fields})
    if Merchant.objects.filter(district=district, licence_no=data["licence_no"]).exists():
        raise Conflict(_("该营业执照号的商户已存在"), code="licence_exists",
                       details={"licence_no": data["licence_no"]})
    merchant = Merchant(district=district, **data)
    _apply_party_rules(merchant)
    if merchant.grid is None:
        merchant.grid = grid_nearest(district=district, latitude=merchant.latitude,
                                     longitude=merchant.longitude)
    try:
        with transaction.atomic():
            merchant.save()
    except IntegrityError:
        raise Conflict(_("该营业执照号的商户已存在"), code="licence_exists") from None
    if merchant.owner_id:
        MerchantStaff.objects.get_or_create(district=district, merchant=merchant,
                                            user=merchant.owner,
                                            defaults={"role": MerchantStaff.Role.OWNER})
    audit_record(actor=actor, district=district, obj=merchant, action="merchants.merchant.create",
                 after=snapshot(merchant))
    return merchant


@audited("merchants.merchant.update")
@transaction.atomic
def merchant_update(*, actor: Any, merchant: Merchant, **fields: Any) -> Merchant:
    district = merchant.district
    if not policies.can(actor, "merchant.update", district):
        if not merchant_policies.can_edit_own(actor, merchant):
            policies.require(actor, "merchant.update", district)
        if set(fields) - OWNER_EDITABLE:
            raise PermissionDenied(_("经营者只能修改营业时间、联系方式和承诺"))
    data = _clean_fields(district, fields)
    merchant = Merchant.objects.select_for_update(of=("self",)).get(pk=merchant.pk)
    if "licence_no" in data and data["licence_no"] != merchant.licence_no and \
            Merchant.objects.filter(district=district, licence_no=data["licence_no"]).exists():
        raise Conflict(_("该营业执照号的商户已存在"), code="licence_exists")
    before = snapshot(merchant)
    for key, value in data.items():
        setattr(merchant, key, value)
    _apply_party_rules(merchant)
    merchant.save()
    if merchant.owner_id:
        MerchantStaff.objects.get_or_create(district=district, merchant=merchant,
                                            user=merchant.owner,
                                            defaults={"role": MerchantStaff.Role.OWNER})
    audit_record(actor=actor, district=district, obj=merchant, action="merchants.merchant.update",
                 before=before, after=snapshot(merchant))
    _forget_page(merchant)
    return merchant


@audited("merchants.merchant.status_set")
@transaction.atomic
def merchant_status_set(*, actor: Any, merchant: Merchant, status: str,
                        reason: str) -> Merchant:
    """营业 / 停业 / 注销, with a reason (e.g. 停业整改 from an inspection). Audited."""
    policies.require(actor, "merchant.status_set", merchant.district)
    if status not in Merchant.Status.values:
        raise ValidationFailed(_("未知的商户状态"), code="unknown_status",
                               details={"status": status})
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写状态变更原因"), code="reason_required")
    locked = Merchant.objects.select_for_update(of=("self",)).get(pk=merchant.pk)
    if locked.status == Merchant.Status.DEREGISTERED and status != locked.status:
        raise Conflict(_("商户已注销，不能再变更状态"), code="merchant_deregistered")
    before = snapshot(locked, ["status", "status_reason"])
    locked.status = status
    locked.status_reason = reason[:200]
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(actor=actor, district=locked.district, obj=locked, action="merchants.merchant.status_set",
                 before=before, after=snapshot(locked, ["status", "status_reason"]))
    _forget_page(locked)
    merchant.status, merchant.status_reason = locked.status, locked.status_reason
    merchant.updated_at = locked.updated_at
    return locked


@audited("merchants.merchant.staff_add")
@transaction.atomic
def merchant_staff_add(*, actor: Any, merchant: Merchant, user: Any,
                       role: str = MerchantStaff.Role.STAFF) -> MerchantStaff:
    if not merchant_policies.can_edit_own(actor, merchant):
        policies.require(actor, "merchant.update", merchant.district)
    if role not in MerchantStaff.Role.values:
        raise ValidationFailed(_("未知身份"), code="unknown_role")
    staff, created = MerchantStaff.objects.get_or_create(
        district=merchant.district, merchant=merchant, user=user, defaults={"role": role})
    if not created:
        raise Conflict(_("此人已是该商户人员"), code="staff_exists")
    audit_record(actor=actor, district=merchant.district, obj=staff,
                 action="merchants.merchant.staff_add", after=snapshot(staff))
    return staff


@audited("merchants.merchant.photos_add")
@transaction.atomic
def merchant_photos_add(*, actor: Any, merchant: Merchant, uploads: list) -> list[MerchantPhoto]:
    if not merchant_policies.can_edit_own(actor, merchant):
        policies.require(actor, "merchant.update", merchant.district)
    already = merchant.photos.count()
    photos = []
    for n, clean in enumerate(photos_clean(uploads, already=already)):
        photo = MerchantPhoto(district=merchant.district, merchant=merchant,
                              position=already + n)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()
        photos.append(photo)
    audit_record(actor=actor, district=merchant.district, obj=merchant,
                 action="merchants.merchant.photos_add", after={"photos": [p.pk for p in photos]})
    return photos


@audited("merchants.association.create")
@transaction.atomic
def association_create(*, actor: Any, district: District, name: str, contact: str = "",
                       public_phone: str = "") -> Association:
    policies.require(actor, "association.manage", district)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("名称不能为空"), code="name_required")
    if Association.objects.filter(district=district, name=name).exists():
        raise Conflict(_("同名商会协会已存在"), code="association_exists")
    association = Association.objects.create(district=district, name=name, contact=contact,
                                             public_phone=public_phone)
    audit_record(actor=actor, district=district, obj=association, action="merchants.association.create",
                 after=snapshot(association))
    return association
