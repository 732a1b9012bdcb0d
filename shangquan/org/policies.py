"""Who may manage the party organisation and see mobile members' check-ins."""

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import STAFF_ROLES, Role

policies.register({
    "org.view": STAFF_ROLES,
    "org.manage": {Role.COMMITTEE, Role.STREET},
    "org.member_view": {Role.COMMITTEE, Role.STREET},
    "checkin.view": {Role.COMMITTEE, Role.STREET},
    "station.manage": {Role.COMMITTEE, Role.STREET},
    # Mobile members scan a station's QR code without an account.
    "checkin.create": set(),
}, public=["checkin.create"])


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "org.agreement.create": _("签订共建协议"),
    "org.alliance.join": _("加入联盟"),
    "org.demo.load": _("载入演示数据"),
    "org.member.erase": _("注销党员个人信息"),
    "org.instructor.assign": _("选派指导员"),
    "org.levels.set": _("设置组织层级"),
    "org.member.check_in": _("流动党员报到"),
    "org.member.create": _("登记党员"),
    "org.station.create": _("设立联络站"),
    "org.unit.create": _("新建组织"),
    "org.unit.move": _("调整上级组织"),
}
register_actions(AUDIT_ACTIONS)
