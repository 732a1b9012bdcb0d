"""Departments inspect, the committee plans, merchants see and answer only their own."""

from __future__ import annotations

from typing import Any

from shangquan.core import policies
from shangquan.core.roles import Role

OVERSIGHT = {Role.COMMITTEE, Role.STREET}
INSPECTORS = {Role.DEPARTMENT}

policies.register({
    # checklists
    "inspections.template_view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER},
    "inspections.template_manage": {Role.COMMITTEE, Role.DEPARTMENT},
    "inspections.rules_manage": {Role.COMMITTEE},
    # inspections
    "inspections.view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER},
    "inspections.plan": {Role.COMMITTEE, Role.DEPARTMENT},
    "inspections.conduct": INSPECTORS,
    # rectification
    "inspections.rectification_view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT,
                                       Role.GRID_LEADER, Role.MERCHANT},
    "inspections.rectification_issue": {Role.COMMITTEE, Role.DEPARTMENT},
    "inspections.rectification_respond": {Role.MERCHANT},
    "inspections.rectification_verify": INSPECTORS,
    "inspections.follow_up": {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER},
    "inspections.risk_view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER},
    # campaigns
    "inspections.campaign_view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT},
    "inspections.campaign_manage": {Role.COMMITTEE},
    "inspections.merchant_history": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT,
                                     Role.GRID_LEADER, Role.MERCHANT},
})

STAFF_ROLES = {str(r) for r in (Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER)}


def is_staff(user: Any, district) -> bool:
    """Sees every merchant's records in the district (not just their own)."""
    return policies.is_city_admin(user) or bool(policies.roles_of(user, district) & STAFF_ROLES)


def owns_merchant(user: Any, merchant) -> bool:
    """The shop's owner or one of its staff accounts."""
    if not getattr(user, "is_authenticated", False):
        return False
    if merchant.owner_id == user.pk:
        return True
    from shangquan.merchants.models import MerchantStaff

    return MerchantStaff.objects.filter(merchant_id=merchant.pk, user_id=user.pk).exists()


def own_merchant_ids(user: Any, district) -> set[int]:
    from django.db.models import Q

    from shangquan.merchants.models import Merchant

    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Merchant.objects.filter(Q(owner=user) | Q(staff__user=user), district=district)
               .values_list("pk", flat=True))


def can_see_merchant(user: Any, district, merchant) -> bool:
    return is_staff(user, district) or owns_merchant(user, merchant)
