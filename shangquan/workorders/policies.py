"""Who may do what with work orders: role table plus object-level checks."""

from __future__ import annotations

from typing import Any

from shangquan.core import policies
from shangquan.core.roles import Role

from .models import WorkOrder

C, S, D = Role.COMMITTEE, Role.STREET, Role.DEPARTMENT

policies.register({
    # filing a report is open to anyone; the channel decides the role needed (CHANNEL_ROLES)
    "workorders.submit": set(Role),
    "workorders.hotline": {C, S},
    "workorders.dispatch": {C, S},
    "workorders.reject": {C, S},
    "workorders.merge": {C, S},
    "workorders.handle": {D},  # accept, return, resolve: the assigned department only
    "workorders.rate": set(Role),  # the reporter only (object level)
    "workorders.rating_exclude": {C},
    "workorders.escalate": {C, D},
    "workorders.escalation_handle": {S},
    "workorders.follow_up": {C, D},
    "workorders.view_all": {C, S, D},
    "workorders.kpi": {C, S, D},
    "workorders.export": {C, S},
    "workorders.category_manage": {C, S},
    "workorders.settings_manage": {C, S},
}, public=["workorders.submit", "workorders.rate"])

# Reporting through a staff channel needs that role; the public channels need none.
CHANNEL_ROLES: dict[str, set[str]] = {
    "volunteer": {Role.VOLUNTEER},
    "merchant": {Role.MERCHANT},
    "grid_leader": {Role.GRID_LEADER},
    "hotline": {C, S},
}


def is_handler(user: Any, order: WorkOrder) -> bool:
    """Staff of the department the order is assigned to."""
    if policies.is_city_admin(user):
        return True
    return bool(order.department_id) and order.department_id in policies.departments_of(
        user, order.district)


def can_see_reporter(user: Any, order: WorkOrder) -> bool:
    """Only the committee and the handling department see who reported (and the reporter)."""
    if getattr(user, "is_authenticated", False) and order.reporter_id == user.pk:
        return True
    return policies.has_role(user, order.district, C) or is_handler(user, order)


def can_view(user: Any, order: WorkOrder) -> bool:
    if policies.has_role(user, order.district, C, S):
        return True
    if is_handler(user, order):
        return True
    return getattr(user, "is_authenticated", False) and order.reporter_id == user.pk
