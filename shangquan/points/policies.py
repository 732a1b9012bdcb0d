"""Who may do what with points (services call ``policies.require``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role
from shangquan.merchants.policies import owns_merchant

from .states import REDEMPTION

STAFF = {Role.COMMITTEE, Role.STREET, Role.COMMUNITY, Role.ASSOCIATION}
MANAGE = {Role.COMMITTEE, Role.COMMUNITY}
# everyone who can earn and spend points: residents, riders and volunteers, merchants
MEMBERS = {Role.RESIDENT, Role.VOLUNTEER, Role.MERCHANT, Role.GRID_LEADER}
# the counter: merchants (their own items), station and community staff
FULFIL = {Role.MERCHANT, Role.COMMITTEE, Role.COMMUNITY}

policies.register({
    "points.view": STAFF,
    "points.manage": MANAGE,
    "points.approve": {Role.COMMITTEE, Role.STREET},
    "points.export": STAFF,
    "points.shop": MEMBERS | STAFF,
    "points.redeem": MEMBERS,
    "points.fulfil": FULFIL,
    "points.cancel": MEMBERS | MANAGE,
    "points.statement": MEMBERS | STAFF,
})


def may_fulfil(user: Any, redemption: Any) -> bool:
    """Staff of the item's merchant, or the committee and community (station counters)."""
    if policies.has_role(user, redemption.district, Role.COMMITTEE, Role.COMMUNITY):
        return True
    return owns_merchant(user, redemption.item.merchant)


def may_cancel(user: Any, redemption: Any) -> bool:
    return (redemption.user_id == getattr(user, "pk", None)
            or policies.has_role(user, redemption.district, *MANAGE))


policies.rule("points.fulfil", check=may_fulfil, machine=REDEMPTION, transition="fulfil")
policies.rule("points.cancel", check=may_cancel, machine=REDEMPTION, transition="cancel")


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "points.account.open": _("开立积分账户"),
    "points.adjustment.approve": _("复核通过积分调整"),
    "points.adjustment.reject": _("驳回积分调整"),
    "points.adjustment.request": _("申请积分调整"),
    "points.award.cap": _("积分达到上限"),
    "points.award.create": _("发放积分"),
    "points.award.reverse": _("撤销积分奖励"),
    "points.defaults.seed": _("初始化积分规则"),
    "points.item.create": _("上架兑换商品"),
    "points.item.update": _("修改兑换商品"),
    "points.ledger.audit": _("积分账目核对"),
    "points.ledger.export": _("导出积分流水"),
    "points.lot.expire": _("积分过期"),
    "points.lot.remind": _("积分到期提醒"),
    "points.posting.create": _("记账"),
    "points.posting.reverse": _("冲正"),
    "points.redemption.cancel": _("取消兑换"),
    "points.redemption.expire": _("兑换过期"),
    "points.redemption.fulfil": _("核销兑换"),
    "points.redemption.reserve": _("预约兑换"),
    "points.rule.update": _("修改积分规则"),
    "points.settings.update": _("修改积分设置"),
    "points.settlement.export": _("导出商户结算单"),
    "points.redemptions.export": _("导出兑换记录"),
    "points.items.export": _("导出商品库存"),
    "points.adjustments.export": _("导出积分调整"),
}
register_actions(AUDIT_ACTIONS)
