"""Who may do what with merchants, grids and rosters."""

from __future__ import annotations

from typing import Any

from shangquan.core import policies
from shangquan.core.roles import STAFF_ROLES, Role

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


def can_edit_own(user: Any, merchant: Any) -> bool:
    """A merchant's owner keeps its own profile (hours, photos, commitments)."""
    return bool(getattr(user, "is_authenticated", False) and merchant.owner_id == user.pk)


def can_see_phone(user: Any, merchant: Any) -> bool:
    return can_edit_own(user, merchant) or policies.can(user, merchant.district,
                                                         "merchant.view_phone")
