"""Who may do what with scales, spot checks and re-weighs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.models import Department, District
from shangquan.core.roles import Role
from shangquan.merchants import policies as merchant_policies

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
    return Department.objects.filter(district=district, code__in=METROLOGY_DEPARTMENTS,
                                     pk__in=policies.departments_of(user, district)).exists()


def owns_merchant(user: Any, merchant: Any) -> bool:
    """The merchants app's one rule: the owner account or one of the shop's people."""
    return merchant_policies.owns_merchant(user, merchant)


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "scales.instrument.accept": _("计量器具验收"),
    "scales.instrument.certificate_warn": _("检定到期提醒"),
    "scales.instrument.commitment_sign": _("签署承诺书"),
    "scales.instrument.export": _("导出计量器具"),
    "scales.instrument.register": _("计量器具备案"),
    "scales.instrument.reinstate": _("恢复使用"),
    "scales.instrument.retire": _("报废注销"),
    "scales.instrument.suspend": _("暂停使用"),
    "scales.instrument.update": _("修改计量器具"),
    "scales.plan.create": _("生成查验计划"),
    "scales.reweigh.complain": _("复称短斤投诉"),
    "scales.reweigh.record": _("公平秤复称"),
    "scales.settings.update": _("修改公平秤设置"),
    "scales.spotcheck.record": _("砝码查验"),
}
register_actions(AUDIT_ACTIONS)
