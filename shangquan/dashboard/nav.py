from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import Role

from .policies import VIEW

GROUP = _("数据看板")

NAV = [
    NavItem(_("指标总览"), "dashboard:kpis", frozenset(VIEW), order=90, group=GROUP),
    NavItem(_("数据报告"), "dashboard:reports", frozenset(VIEW), order=92, group=GROUP),
    NavItem(_("数据大屏"), "dashboard:screen", frozenset(VIEW), order=91, group=GROUP),
    # a department's own figures across the districts it serves (others have none)
    NavItem(_("本部门跨商圈指标"), "dashboard:departments", frozenset({Role.DEPARTMENT}),
            order=93, group=GROUP),
]
