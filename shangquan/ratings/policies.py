"""Who may do what with ratings: schemes, periods, scores, appeals, titles, outdoor checks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role
from shangquan.merchants.policies import owns_merchant

from .models import Party, Score
from .states import APPEAL, PERIOD, TITLE

C, S, A, M = Role.COMMITTEE, Role.STREET, Role.ASSOCIATION, Role.COMMUNITY
G, D, MER = Role.GRID_LEADER, Role.DEPARTMENT, Role.MERCHANT

STAFF = {C, S, A, M, G, D}

# The party a staff role scores as (its share of the scheme).
PARTY_OF_ROLE = {Role.ASSOCIATION: Party.ASSOCIATION, Role.COMMUNITY: Party.COMMUNITY}

policies.register({
    "ratings.view": STAFF,
    "ratings.scheme_manage": {C},
    "ratings.settings_manage": {C},
    "ratings.period_create": {C},
    "ratings.open": {C},
    "ratings.close": {C},
    "ratings.publish": {C},
    "ratings.archive": {C},
    # 三方评分: the association's and the community's staff score (their share each)
    "ratings.score": {A, M},
    "ratings.progress_view": {C, S, A, M},
    # the merchant's side: reply publicly, appeal, ask for a re-rating
    "ratings.reply": {MER},
    "ratings.appeal_file": {MER},
    "ratings.rerating_request": {MER},
    "ratings.rerating_complete": {C, A, M},
    # an appeal is decided by a committee member who did not score the merchant
    "ratings.appeal_view": {C, S, A, M},
    "ratings.appeal_uphold": {C},
    "ratings.appeal_dismiss": {C},
    "ratings.title_propose": {C, A},
    "ratings.title_list": {C},
    "ratings.title_warn": {C},
    "ratings.title_clear": {C},
    "ratings.title_delist": {C},
    "ratings.title_relist": {C},
    # ceremonies (3·15, year end): the batch award and its certificates and plaques
    "ratings.ceremony": {C},
    "ratings.outdoor_zone_manage": {C, G},
    "ratings.outdoor_check": {C, G},
    "ratings.outdoor_view": {C, S, G, A, M, D},
    "ratings.export": {C, S},
    # residents score the merchants they dealt with, from the QR page (verified phone)
    "ratings.resident_score": set(),
}, public=["ratings.resident_score"])


def is_merchant_of(user: Any, merchant: Any) -> bool:
    """The merchant's owner account or one of its people (the merchants app's one rule)."""
    return owns_merchant(user, merchant)


def _owns_result(user: Any, result: Any) -> bool:
    return is_merchant_of(user, result.merchant)


def scored(user: Any, *, period_id: int, merchant_id: int) -> bool:
    """Whether ``user`` scored the merchant in the period (so is involved in its result)."""
    return Score.objects.filter(period_id=period_id, merchant_id=merchant_id,
                                rater_id=getattr(user, "pk", None)).exists()


def not_involved(user: Any, appeal: Any) -> bool:
    """The decider neither filed the appeal nor scored the merchant in that period."""
    if getattr(user, "pk", None) == appeal.filed_by_id:
        return False
    if getattr(appeal, "viewer_id", None) == getattr(user, "pk", 0):  # see appeal_list
        return not appeal.viewer_scored
    return not scored(user, period_id=appeal.period_id, merchant_id=appeal.merchant_id)


def party_of(user: Any, district: Any) -> str | None:
    roles = policies.roles_of(user, district)
    for role, party in PARTY_OF_ROLE.items():
        if role in roles:
            return str(party)
    return None


for _action in ("open", "close", "publish", "archive"):
    policies.rule(f"ratings.{_action}", machine=PERIOD)
for _action in ("reply", "appeal_file", "rerating_request"):
    policies.rule(f"ratings.{_action}", check=_owns_result)
policies.rule("ratings.appeal_uphold", check=not_involved, machine=APPEAL, transition="uphold")
policies.rule("ratings.appeal_dismiss", check=not_involved, machine=APPEAL, transition="dismiss")
for _action in ("list", "warn", "clear", "delist", "relist"):
    policies.rule(f"ratings.title_{_action}", machine=TITLE, transition=_action)


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "ratings.scheme.update": _("修改评比方案"),
    "ratings.scheme.create": _("建立评比方案"),
    "ratings.settings.update": _("修改评比设置"),
    "ratings.period.create": _("新建评比周期"),
    "ratings.period.open": _("开始评分"),
    "ratings.period.close": _("评分结束并公示"),
    "ratings.period.publish": _("发布评比结果"),
    "ratings.period.archive": _("归档评比周期"),
    "ratings.period.export": _("导出评比结果"),
    "ratings.score.record": _("评分"),
    "ratings.resident_score.record": _("居民评分"),
    "ratings.result.reply": _("商户公开回应"),
    "ratings.result.recompute": _("重新计算评比结果"),
    "ratings.appeal.file": _("提出申诉"),
    "ratings.appeal.uphold": _("申诉成立"),
    "ratings.appeal.dismiss": _("申诉驳回"),
    "ratings.adjustment.void": _("撤销证据调整"),
    "ratings.rerating.request": _("申请复评"),
    "ratings.rerating.complete": _("完成复评"),
    "ratings.flag.award": _("授予流动红旗"),
    "ratings.title.propose": _("推荐称号候选"),
    "ratings.title.list": _("授予称号"),
    "ratings.title.warn": _("称号警示"),
    "ratings.title.clear": _("解除警示"),
    "ratings.title.delist": _("摘牌"),
    "ratings.title.relist": _("重新授牌"),
    "ratings.ceremony.print": _("打印颁奖证书和牌匾"),
    "ratings.outdoor_zone.save": _("登记外摆区域"),
    "ratings.outdoor_check.record": _("外摆检查"),
    "ratings.outdoor_check.rectify": _("外摆连续不达标转整改"),
}
register_actions(AUDIT_ACTIONS)
