"""Who may do what with merchants, grids and rosters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.picker import register_source
from shangquan.core.roles import STAFF_ROLES, Role

from .models import Grid, Merchant, MerchantStaff

MANAGE = {Role.COMMITTEE, Role.ASSOCIATION}

policies.register({
    "merchant.view": STAFF_ROLES,
    "merchant.create": MANAGE,
    "merchant.update": MANAGE,
    "merchant.import": MANAGE,
    "merchant.export": {Role.COMMITTEE, Role.ASSOCIATION, Role.STREET},
    # 停业整改 comes from inspections (departments) as well as from the committee.
    "merchant.status_set": {Role.COMMITTEE, Role.DEPARTMENT, Role.STREET},
    "merchant.poster": {Role.COMMITTEE, Role.ASSOCIATION, Role.GRID_LEADER},
    "merchant.view_phone": {Role.COMMITTEE, Role.ASSOCIATION, Role.GRID_LEADER,
                            Role.DEPARTMENT},
    "association.manage": {Role.COMMITTEE},
    "grid.manage": MANAGE,
    "roster.manage": {Role.COMMITTEE, Role.ASSOCIATION, Role.GRID_LEADER},
})


# --- the one ownership rule, used by every app ------------------------------------------
# A person acts for a shop when they are its owner account (Merchant.owner) or one of its
# people (MerchantStaff: 经营者 or 店员). They see the shop's records (scales,
# rectifications, notices) and answer for it; only the owner account and 经营者 edit its
# profile. Apps ask these functions, never ``merchant.owner_id == user.pk`` themselves.
def owned_merchant_ids(user: Any, district: Any = None) -> QuerySet:
    """The ids of the shops ``user`` acts for, as a subquery: ``merchant_id__in=…``."""
    if not getattr(user, "is_authenticated", False):
        return Merchant.objects.none().values("pk")
    qs = Merchant.objects.filter(Q(owner_id=user.pk) | Q(staff__user_id=user.pk))
    if district is not None:
        qs = qs.filter(district=district)
    return qs.values("pk").distinct()


def _staff_roles(user: Any, district_id: int) -> dict[int, str]:
    """merchant id -> the user's role there (经营者 / 店员) in one district: one query per
    user object and district, so a list that asks for every row stays flat."""
    by_district = getattr(user, "_sq_merchant_staff", None)
    if by_district is None:
        by_district = user._sq_merchant_staff = {}
    cached = by_district.get(district_id)
    if cached is None:
        cached = by_district[district_id] = dict(
            MerchantStaff.objects.filter(district_id=district_id, user_id=user.pk)
            .values_list("merchant_id", "role"))
    return cached


def owns_merchant(user: Any, merchant: Any) -> bool:
    """``user`` acts for ``merchant``: its owner account or one of its people."""
    if not getattr(user, "is_authenticated", False) or merchant is None:
        return False
    return merchant.owner_id == user.pk or merchant.pk in _staff_roles(user, merchant.district_id)


def can_edit_own(user: Any, merchant: Any) -> bool:
    """A merchant's owner account or its 经营者 keeps its profile (hours, photos, promises)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (merchant.owner_id == user.pk
            or _staff_roles(user, merchant.district_id).get(merchant.pk) == MerchantStaff.Role.OWNER)


def can_see_phone(user: Any, merchant: Any) -> bool:
    return can_edit_own(user, merchant) or policies.can(user, "merchant.view_phone", merchant.district)


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "merchants.association.create": _("新建商会协会"),
    "merchants.demo.load": _("载入演示数据"),
    "merchants.grid.apply_proposal": _("应用网格划分"),
    "merchants.grid.assign": _("调整网格商户"),
    "merchants.grid.contact_add": _("添加网格联系人"),
    "merchants.grid.create": _("新建网格"),
    "merchants.grid.update": _("修改网格"),
    "merchants.person.erase": _("注销个人信息"),
    "merchants.import.confirm": _("确认导入"),
    "merchants.import.fail": _("导入任务失败"),
    "merchants.import.queue": _("提交导入任务"),
    "merchants.merchant.create": _("新增商户"),
    "merchants.merchant.export": _("导出商户"),
    "merchants.merchant.import": _("导入商户"),
    "merchants.merchant.photos_add": _("上传商户照片"),
    "merchants.merchant.staff_add": _("添加商户人员"),
    "merchants.merchant.status_set": _("变更商户状态"),
    "merchants.merchant.update": _("修改商户"),
    "merchants.poster.export": _("导出商户二维码海报"),
    "merchants.roster.generate": _("生成值守排班"),
    "merchants.roster.swap": _("调换值守"),
}
register_actions(AUDIT_ACTIONS)


# --- searchable pickers (core.picker): merchants and grids of the district, by name,
# stall or licence; each merchant's grid is named, so two 王记 are told apart.
def _pick_merchants(*, user: Any, district: Any, q: str, limit: int) -> list[dict[str, Any]]:
    if not policies.can(user, "merchant.view", district):
        return []
    qs = Merchant.objects.filter(district=district).select_related("grid")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(stall_no__icontains=q)
                       | Q(licence_no__istartswith=q))
    return [{"id": m.pk, "label": m.name,
             "hint": " · ".join(x for x in (m.stall_no, m.grid.name if m.grid_id else "") if x)}
            for m in qs.order_by("name", "pk")[:limit]]


def _pick_grids(*, user: Any, district: Any, q: str, limit: int) -> list[dict[str, Any]]:
    qs = Grid.objects.filter(district=district)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(leader_name__icontains=q))
    return [{"id": g.pk, "label": g.name, "hint": g.leader_name}
            for g in qs.order_by("name", "pk")[:limit]]


register_source("merchant", _pick_merchants)
register_source("grid", _pick_grids)
