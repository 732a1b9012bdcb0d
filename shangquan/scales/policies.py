"""Who may do what with scales, spot checks and re-weighs."""

from __future__ import annotations

from typing import Any

from shangquan.core import policies
from shangquan.core.models import District
from shangquan.core.roles import Role

# Departments whose staff verify scales: 市场监管 (market supervision) by default.
METROLOGY_DEPARTMENTS = frozenset({"scjg"})

STAFF_READ = {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER}

policies.register({
    # The registry: everyone who works with merchants sees it; merchants see their own.
    "scales.instrument_view": STAFF_READ | {Role.ASSOCIATION, Role.MERCHANT},
    "scales.instrument_manage": {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER},
    "scales.instrument_status": {Role.COMMITTEE, Role.DEPARTMENT},
    "scales.commitment_sign": {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER,
                               Role.MERCHANT},
    "scales.export": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT},
    # 砝码查验: market supervision staff and the district's own managers.
    "scales.check_record": {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER},
    "scales.check_view": STAFF_READ | {Role.ASSOCIATION, Role.MERCHANT},
    "scales.plan_view": {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER},
    "scales.reweigh_view": STAFF_READ | {Role.COMMUNITY},
    "scales.kpi_view": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.ASSOCIATION,
                        Role.COMMUNITY},
    "scales.settings_manage": {Role.COMMITTEE, Role.DEPARTMENT},
    # Anyone at the fair scale station may re-weigh and complain, signed in or not.
    "scales.reweigh_record": set(),
}, public=["scales.reweigh_record"])


def sees_all(user: Any, district: District) -> bool:
    """Staff see every merchant's instruments; a merchant only their own."""
    return policies.has_role(user, district, *STAFF_READ, Role.ASSOCIATION)


def may_check(user: Any, district: District) -> bool:
    """Department staff check scales only if their department does metrology."""
    if policies.is_city_admin(user):
        return True
    roles = policies.roles_of(user, district)
    if roles & {Role.COMMITTEE, Role.GRID_LEADER}:
        return True
    if Role.DEPARTMENT not in roles:
        return False
    from shangquan.core.models import Department

    return Department.objects.filter(district=district, code__in=METROLOGY_DEPARTMENTS,
                                     pk__in=policies.departments_of(user, district)).exists()


def owns_merchant(user: Any, merchant: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and merchant.owner_id == user.pk)
