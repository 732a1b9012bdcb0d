from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import Role

C, S, D = Role.COMMITTEE, Role.STREET, Role.DEPARTMENT
GROUP = _("四单工单")

NAV = [
    NavItem(_("工单"), "workorders:board", frozenset(), order=20, group=GROUP),
    NavItem(_("登记工单"), "workorders:new",
            frozenset({C, S, Role.GRID_LEADER, Role.VOLUNTEER, Role.MERCHANT}), order=21,
            group=GROUP),
    NavItem(_("疑似重复"), "workorders:merge_candidates", frozenset({C, S}), order=22,
            group=GROUP),
    NavItem(_("超时工单"), "workorders:overdue", frozenset({C, S, D}), order=23, group=GROUP),
    NavItem(_("吹哨报到"), "workorders:escalations", frozenset({C, S, D}), order=24, group=GROUP),
    NavItem(_("三率考核"), "workorders:kpi", frozenset({C, S, D}), order=25, group=GROUP),
    NavItem(_("诉求类别与时限"), "workorders:categories", frozenset({C, S}), order=26,
            group=GROUP),
]
