"""Who may read the cross-module indicators."""

from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import register_actions
from shangquan.core.roles import Role

VIEW = {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT}

# Reports: read and downloaded by whoever reads the dashboard; generated on demand and
# snapshots corrected by the committee and the street (departments read, never rewrite).
REPORT_MANAGE = {Role.COMMITTEE, Role.STREET}

policies.register({
    "dashboard.view": VIEW,
    "dashboard.report_view": VIEW,
    "dashboard.report_create": REPORT_MANAGE,
    "dashboard.snapshot_correct": REPORT_MANAGE,
    # the big screen's panels: chosen and arranged by the district's committee
    "dashboard.screen_configure": {Role.COMMITTEE},
})

AUDIT_ACTIONS = {
    "dashboard.snapshot.freeze": _("冻结指标快照"),
    "dashboard.snapshot.correct": _("更正指标快照"),
    "dashboard.report.generate": _("生成数据报告"),
    "dashboard.report.download": _("下载数据报告"),
    "dashboard.subscription.update": _("修改报告订阅"),
    "dashboard.panel.create": _("添加大屏面板"),
    "dashboard.panel.update": _("修改大屏面板"),
    "dashboard.panel.delete": _("删除大屏面板"),
    "dashboard.layout.arrange": _("调整大屏面板顺序"),
    "dashboard.layout.reset": _("恢复默认大屏布局"),
}
register_actions(AUDIT_ACTIONS)
