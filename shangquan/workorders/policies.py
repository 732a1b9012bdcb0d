"""Who may do what with work orders: role table plus object-level checks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.errors import PermissionDenied
from shangquan.core.notification_kinds import register_kinds
from shangquan.core.roles import Role

from .models import WorkOrder
from .states import WORK_ORDER

C, S, D = Role.COMMITTEE, Role.STREET, Role.DEPARTMENT

policies.register({
    # filing a report is open to anyone; the channel decides the role needed (CHANNEL_ROLES)
    "workorders.submit": set(Role),
    "workorders.hotline": {C, S},
    "workorders.dispatch": {C, S},
    "workorders.reject": {C, S},
    "workorders.merge": {C, S},
    # accept, return, resolve: the assigned department only (object rule below)
    "workorders.accept": {D},
    "workorders.return": {D},
    "workorders.resolve": {D},
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


# --- object rules: what ``require``/``can`` check on an order beyond the role --------------
def handles(user: Any, order: WorkOrder) -> bool:
    """Accept, return, resolve: only the department the order is dispatched to."""
    if not is_handler(user, order):
        raise PermissionDenied(_("只有承办部门可以处理该工单"), code="not_assigned")
    return True


def reported(user: Any, order: WorkOrder) -> bool:
    """Rating: only the person who reported."""
    if not (getattr(user, "is_authenticated", False) and order.reporter_id == user.pk):
        raise PermissionDenied(_("只有反映人可以评价"), code="not_reporter")
    return True


def may_whistle(user: Any, order: WorkOrder) -> bool:
    """吹哨: the committee, or the department handling the order."""
    if policies.has_role(user, order.district, C) or is_handler(user, order):
        return True
    raise PermissionDenied(_("只有承办部门可以吹哨"), code="not_assigned")


# Each transition of WORK_ORDER is performed under one policy action (the role table
# above); the object rule adds the state (from the table) and who on the order may act.
TRANSITION_ACTIONS = {
    "dispatch": "workorders.dispatch",
    "accept": "workorders.accept",
    "return": "workorders.return",
    "resolve": "workorders.resolve",
    "rate_satisfied": "workorders.rate",
    "rate_unsatisfied": "workorders.rate",
    "reject": "workorders.reject",
    "merge": "workorders.merge",
}  # auto_close is the platform's own (no person acts)
for _transition in ("dispatch", "reject", "merge"):
    policies.rule(TRANSITION_ACTIONS[_transition], machine=WORK_ORDER, transition=_transition)
for _transition in ("accept", "return", "resolve"):
    policies.rule(TRANSITION_ACTIONS[_transition], check=handles, machine=WORK_ORDER,
                  transition=_transition)
# Both rating transitions leave from the same states; the form offers both.
policies.rule("workorders.rate", check=reported, machine=WORK_ORDER,
              transition="rate_satisfied")
policies.rule("workorders.escalate", check=may_whistle)


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "workorders.reporter.erase": _("注销反映人个人信息"),
    "workorders.category.create": _("新增工单分类"),
    "workorders.category.seed": _("初始化工单分类"),
    "workorders.category.update": _("修改工单分类"),
    "workorders.escalation.handle": _("处理吹哨"),
    "workorders.escalation.raise": _("吹哨上报"),
    "workorders.followup.record": _("回访"),
    "workorders.kpi.export": _("导出考核数据"),
    "workorders.kpi.rebuild": _("重算考核数据"),
    "workorders.metoo.add": _("我也遇到"),
    "workorders.metoo.erase": _("注销我也遇到的个人关联"),
    "workorders.order.accept": _("接单"),
    "workorders.order.auto_close": _("超期自动办结"),
    "workorders.order.dispatch": _("派单"),
    "workorders.order.merge": _("合并"),
    "workorders.order.rate": _("评单"),
    "workorders.order.rating_exclude": _("剔除不合理评价"),
    "workorders.order.reject": _("不予受理"),
    "workorders.order.resolution_overdue": _("办理超时"),
    "workorders.order.resolve": _("办结"),
    "workorders.order.response_overdue": _("响应超时"),
    "workorders.order.return": _("退回"),
    "workorders.order.submit": _("点单（受理）"),
    "workorders.settings.update": _("修改工单设置"),
}
register_actions(AUDIT_ACTIONS)

# Kinds of notification a person sets one by one (core.notification_kinds).
register_kinds({
    "workorders.progress": _("我反映或关注的问题有进展"),
    "workorders.task": _("工单待办（派单、退回、超时、吹哨）"),
})
