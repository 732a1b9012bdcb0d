"""Who may do what in deliberation (services call ``policies.require``).

Filing a suggestion, answering a survey, registering for a meeting, commenting and
voting are public actions: the services check the person instead (signed in, a verified
phone or a shop's licence, inside the convention's electorate).
"""

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role

from .states import CONVENTION, SUGGESTION

VIEW = {Role.COMMITTEE, Role.STREET, Role.COMMUNITY, Role.ASSOCIATION, Role.GRID_LEADER,
        Role.DEPARTMENT}
MANAGE = {Role.COMMITTEE, Role.COMMUNITY, Role.ASSOCIATION}
OFFICERS = {Role.COMMITTEE, Role.COMMUNITY, Role.ASSOCIATION}

policies.register({
    "deliberation.view": VIEW,
    "deliberation.manage": MANAGE,
    "deliberation.suggestion_enter": MANAGE | {Role.GRID_LEADER},
    "deliberation.suggestion_review": MANAGE,
    "deliberation.suggestion_accept": MANAGE,
    "deliberation.suggestion_merge": MANAGE,
    "deliberation.suggestion_decline": MANAGE,
    "deliberation.convention_manage": MANAGE,
    "deliberation.convention_open_comment": MANAGE,
    "deliberation.convention_open_voting": MANAGE,
    "deliberation.convention_close": MANAGE,
    "deliberation.convention_enact": MANAGE,
    "deliberation.convention_revise": MANAGE,
    "deliberation.convention_repeal": MANAGE,
    "deliberation.recount": {Role.COMMITTEE, Role.STREET},
    "deliberation.ballot_officer": OFFICERS,
    "deliberation.demand_handle": {Role.COMMITTEE, Role.DEPARTMENT},
    "deliberation.announce": MANAGE,
    "deliberation.export": {Role.COMMITTEE, Role.COMMUNITY, Role.ASSOCIATION, Role.STREET},
}, public={"deliberation.participate"})

for _action in ("review", "accept", "merge", "decline"):
    policies.rule(f"deliberation.suggestion_{_action}", machine=SUGGESTION, transition=_action)
for _action in ("open_comment", "open_voting", "enact", "revise", "repeal"):
    policies.rule(f"deliberation.convention_{_action}", machine=CONVENTION, transition=_action)
policies.rule("deliberation.convention_close", machine=CONVENTION, transition="adopt")


AUDIT_ACTIONS = {
    "deliberation.action.complete": _("行动事项完成"),
    "deliberation.action.create": _("新增行动事项"),
    "deliberation.action.fan_out": _("行动事项分派商户"),
    "deliberation.announcement.publish": _("发布公告"),
    "deliberation.announcement.read": _("商户已读公告"),
    "deliberation.ballot.confirm": _("纸质票复核通过"),
    "deliberation.ballot.enter": _("录入纸质票"),
    "deliberation.ballot.reject": _("纸质票复核退回"),
    "deliberation.comment.add": _("公约意见"),
    "deliberation.convention.close": _("公约表决结束"),
    "deliberation.convention.create": _("新建公约"),
    "deliberation.convention.enact": _("公约施行"),
    "deliberation.convention.open_comment": _("公约征求意见"),
    "deliberation.convention.open_voting": _("公约开始表决"),
    "deliberation.convention.recount": _("公约重新计票"),
    "deliberation.convention.repeal": _("公约废止"),
    "deliberation.convention.revise": _("公约修订"),
    "deliberation.convention.sign": _("商户签署公约"),
    "deliberation.convention.tag": _("工单类别关联公约条款"),
    "deliberation.council.create": _("新建议事会"),
    "deliberation.demand.file": _("提交政企面对面诉求"),
    "deliberation.demand.assign": _("诉求交办"),
    "deliberation.digest.send": _("发送每日摘要"),
    "deliberation.meeting.cancel": _("取消会议"),
    "deliberation.meeting.create": _("新建会议"),
    "deliberation.meeting.record": _("记录会议纪要"),
    "deliberation.monitor.add": _("指定居民监督员"),
    "deliberation.monitor.confirm": _("居民监督确认"),
    "deliberation.registration.cancel": _("取消报名"),
    "deliberation.registration.check_in": _("会议签到"),
    "deliberation.registration.create": _("会议报名"),
    "deliberation.round.record": _("记录协商轮次"),
    "deliberation.seat.add": _("增设议事席位"),
    "deliberation.settings.update": _("修改议事协商设置"),
    "deliberation.suggestion.accept": _("采纳建议"),
    "deliberation.suggestion.decline": _("不予采纳建议"),
    "deliberation.suggestion.enter": _("录入线下建议"),
    "deliberation.suggestion.merge": _("合并建议"),
    "deliberation.suggestion.review": _("研究建议"),
    "deliberation.suggestion.submit": _("提交建议"),
    "deliberation.survey.close": _("结束问卷"),
    "deliberation.survey.create": _("新建问卷"),
    "deliberation.survey.export": _("导出问卷结果"),
    "deliberation.survey.open": _("发布问卷"),
    "deliberation.survey.respond": _("提交问卷"),
    "deliberation.topic.agree": _("议题达成共识"),
    "deliberation.topic.create": _("新建议题"),
    "deliberation.vote.cast": _("投票"),
}
register_actions(AUDIT_ACTIONS)
