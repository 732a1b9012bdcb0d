"""Departments inspect, the committee plans, merchants see and answer only their own."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.errors import NotFound
from shangquan.core.roles import Role
from shangquan.merchants import policies as merchant_policies

from .states import RECTIFICATION

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
    "inspections.rectification_reject": INSPECTORS,
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
    """The shop's owner or one of its people: the merchants app's one rule."""
    return merchant_policies.owns_merchant(user, merchant)


def own_merchant_ids(user: Any, district) -> set[int]:
    return set(merchant_policies.owned_merchant_ids(user, district).values_list("pk", flat=True))


def can_see_merchant(user: Any, district, merchant) -> bool:
    return is_staff(user, district) or owns_merchant(user, merchant)


def answers_for(user: Any, rectification) -> bool:
    """Evidence comes from the shop's own accounts; another shop's order is invisible."""
    if not owns_merchant(user, rectification.merchant):
        raise NotFound()
    return True


# Each transition a person performs, under its policy action (the role table above);
# ``escalate`` is the periodic job's own.
RECTIFICATION_ACTIONS = {
    "submit": "inspections.rectification_respond",
    "verify": "inspections.rectification_verify",
    "reject": "inspections.rectification_reject",
}
policies.rule("inspections.rectification_respond", check=answers_for, machine=RECTIFICATION,
              transition="submit")
policies.rule("inspections.rectification_verify", machine=RECTIFICATION, transition="verify")
policies.rule("inspections.rectification_reject", machine=RECTIFICATION, transition="reject")


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "inspections.campaign.close": _("结束专项行动"),
    "inspections.campaign.create": _("新建专项行动"),
    "inspections.campaign.plan_after": _("安排节后靶向检查"),
    "inspections.campaign.plan_before": _("安排节前集中检查"),
    "inspections.campaign.report": _("导出专项行动报告"),
    "inspections.checklist.create": _("新建检查表"),
    "inspections.checklist.publish": _("发布检查表"),
    "inspections.demo.load": _("载入演示数据"),
    "inspections.finding.repeat": _("重复问题预警"),
    "inspections.followup.record": _("整改回访"),
    "inspections.inspection.answer": _("填写检查项"),
    "inspections.inspection.cancel": _("取消检查"),
    "inspections.inspection.complete": _("完成检查"),
    "inspections.inspection.photo": _("上传检查照片"),
    "inspections.inspection.plan": _("安排检查"),
    "inspections.inspection.start": _("开始检查"),
    "inspections.signature.erase": _("注销签名人信息"),
    "inspections.rectification.escalate": _("整改超期上报"),
    "inspections.rectification.issue": _("下达整改"),
    "inspections.rectification.reject": _("整改验收不通过"),
    "inspections.rectification.submit": _("提交整改材料"),
    "inspections.rectification.verify": _("整改验收"),
    "inspections.rules.update": _("修改检查规则"),
    "inspections.team.create": _("组建联合检查组"),
}
register_actions(AUDIT_ACTIONS)
