"""Who may do what with crowd flow (services call ``policies.require``)."""

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role

# The board is for the people who act on it: the committee, the street, departments
# (police, fire, emergency), grid leaders and the volunteers of the evacuation teams.
VIEW = {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER, Role.VOLUNTEER}
OPERATE = {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER}

policies.register({
    "crowd.view": VIEW,
    "crowd.report": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT},
    "crowd.manage": {Role.COMMITTEE},
    "crowd.count": OPERATE | {Role.VOLUNTEER},
    "crowd.override": OPERATE,
    "crowd.acknowledge": OPERATE,
    # Taking a zone's alerts: those who act on them (the committee gets them anyway).
    "crowd.subscribe": OPERATE,
})


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "crowd.alert.acknowledge": _("确认告警"),
    "crowd.alert.raise": _("客流告警"),
    "crowd.subscription.clear": _("取消客流预警提醒"),
    "crowd.subscription.set": _("订阅客流预警提醒"),
    "crowd.gate.create": _("新增闸口"),
    "crowd.gate.rotate_token": _("更换设备令牌"),
    "crowd.gate.update": _("修改闸口"),
    "crowd.history.purge": _("清理客流历史数据"),
    "crowd.settings.update": _("修改客流设置"),
    "crowd.zone.control": _("入口管控变化"),
    "crowd.zone.count": _("人工清点"),
    "crowd.zone.create": _("新增区域"),
    "crowd.zone.override": _("人工干预"),
    "crowd.zone.override_expired": _("人工干预到期"),
    "crowd.zone.release": _("解除人工干预"),
    "crowd.zone.reset": _("客流清零"),
    "crowd.zone.update": _("修改区域"),
}
register_actions(AUDIT_ACTIONS)
