"""Who may do what with teams, events and the party-life registers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role

from .states import CONTEST, EVENT, REGISTRATION

STAFF = {Role.COMMITTEE, Role.STREET, Role.COMMUNITY, Role.ASSOCIATION}
ORGANISE = {Role.COMMITTEE, Role.COMMUNITY, Role.ASSOCIATION}
MEMBERS = {Role.RESIDENT, Role.VOLUNTEER, Role.MERCHANT, Role.GRID_LEADER, Role.DEPARTMENT}

policies.register({
    "activities.view": STAFF,
    "activities.manage": ORGANISE,
    "activities.join": MEMBERS | STAFF,
    "activities.team_decide": ORGANISE | {Role.VOLUNTEER, Role.MERCHANT, Role.RESIDENT},
    "activities.event_publish": ORGANISE,
    "activities.event_close": ORGANISE,
    "activities.event_finish": ORGANISE,
    "activities.event_archive": ORGANISE,
    "activities.event_organise": ORGANISE | {Role.VOLUNTEER, Role.GRID_LEADER},
    "activities.service_log": ORGANISE | {Role.VOLUNTEER, Role.MERCHANT, Role.RESIDENT},
    "activities.service_log_view": STAFF | {Role.VOLUNTEER, Role.MERCHANT, Role.RESIDENT},
    "activities.party": {Role.COMMITTEE, Role.STREET},
    "activities.cadre_report": {Role.DEPARTMENT, Role.STREET},
    "activities.export": STAFF,
})


def is_captain(user: Any, team: Any) -> bool:
    return team is not None and team.captain_id == getattr(user, "pk", None)


def may_decide(user: Any, member: Any) -> bool:
    return is_captain(user, member.team) or policies.has_role(user, member.district, *ORGANISE)


def may_organise(user: Any, event: Any) -> bool:
    """The organiser, the organising team's captain, or the committee and community."""
    return (event.organiser_id == getattr(user, "pk", None) or is_captain(user, event.team)
            or policies.has_role(user, event.district, *ORGANISE))


def may_log(user: Any, log_or_team: Any) -> bool:
    team = getattr(log_or_team, "team", log_or_team)
    return is_captain(user, team) or policies.has_role(user, team.district, *ORGANISE)


def sees_beneficiaries(user: Any, team: Any) -> bool:
    """Beneficiaries' personal data: their own team's captain and the committee only."""
    return is_captain(user, team) or policies.has_role(user, team.district, Role.COMMITTEE)


policies.rule("activities.team_decide", check=may_decide)
policies.rule("activities.event_organise", check=may_organise)
policies.rule("activities.service_log", check=may_log)
for _action in ("publish", "close", "finish", "archive"):
    policies.rule(f"activities.event_{_action}", check=may_organise, machine=EVENT,
                  transition=_action)
policies.register({"activities.registration_cancel": MEMBERS | STAFF})
policies.rule("activities.registration_cancel",
              check=lambda user, r: r.user_id == getattr(user, "pk", None)
              or may_organise(user, r.event), machine=REGISTRATION, transition="cancel")


# contests: the event's organisers run them; a judge scores only a contest they judge
policies.register({
    "activities.contest_manage": ORGANISE | {Role.VOLUNTEER, Role.GRID_LEADER},
    "activities.contest_judge": ORGANISE | {Role.VOLUNTEER, Role.GRID_LEADER},
    "activities.contest_publish": ORGANISE | {Role.VOLUNTEER, Role.GRID_LEADER},
    "activities.contest_score": MEMBERS | STAFF,
})


def is_judge(user: Any, contest: Any) -> bool:
    return contest.judges.filter(user_id=getattr(user, "pk", None)).exists()


policies.rule("activities.contest_manage", check=lambda user, c: may_organise(user, c.event))
for _action in ("judge", "publish"):
    policies.rule(f"activities.contest_{_action}",
                  check=lambda user, c: may_organise(user, c.event), machine=CONTEST,
                  transition=_action)
policies.rule("activities.contest_score", check=is_judge)


AUDIT_ACTIONS = {
    "activities.team.create": _("新建志愿队伍"),
    "activities.member.request": _("申请入队"),
    "activities.member.approve": _("同意入队"),
    "activities.member.reject": _("拒绝入队"),
    "activities.member.leave": _("退出队伍"),
    "activities.event.create": _("新建活动"),
    "activities.event.publish": _("发布活动"),
    "activities.event.close": _("截止报名"),
    "activities.event.finish": _("活动结束"),
    "activities.event.archive": _("活动归档"),
    "activities.event.wrapup": _("活动小结"),
    "activities.registration.create": _("活动报名"),
    "activities.registration.cancel": _("取消报名"),
    "activities.registration.promote": _("候补转正"),
    "activities.registration.checkin": _("活动签到"),
    "activities.registration.checkout": _("活动签退"),
    "activities.registration.confirm": _("确认志愿时长"),
    "activities.registration.absent": _("登记缺席"),
    "activities.service.record": _("登记公益服务"),
    "activities.contact.create": _("登记联系点"),
    "activities.visit.record": _("登记走访"),
    "activities.visit.follow_up": _("走访问题跟进"),
    "activities.enrolment.create": _("流动党员转入登记"),
    "activities.cadre.report": _("干部下沉报到"),
    "activities.settings.update": _("修改活动设置"),
    "activities.contest.create": _("设立比赛评审"),
    "activities.contest.judge": _("比赛进入评审"),
    "activities.contest.publish": _("公布比赛结果"),
    "activities.criterion.add": _("添加评分项"),
    "activities.judge.add": _("添加评委"),
    "activities.entry.add": _("登记参赛作品"),
    "activities.score.submit": _("评委打分"),
    "activities.photo.add": _("上传活动照片"),
    "activities.attendance.export": _("导出活动考勤"),
    "activities.hours.export": _("导出志愿时长"),
    "activities.teams.export": _("导出志愿队伍"),
    "activities.party.export": _("导出党建台账"),
}
register_actions(AUDIT_ACTIONS)
