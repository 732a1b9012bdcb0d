from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import Role

C, S, D, G = Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER
GROUP = _("诚信计量")

NAV = [
    NavItem(_("今日查验"), "scales:plan", frozenset({C, D, G}), order=50, group=GROUP),
    NavItem(_("计量器具备案"), "scales:registry",
            frozenset({C, S, D, G, Role.ASSOCIATION, Role.MERCHANT}), order=51, group=GROUP),
    NavItem(_("查验记录"), "scales:checks",
            frozenset({C, S, D, G, Role.ASSOCIATION, Role.MERCHANT}), order=52, group=GROUP),
    NavItem(_("检定到期"), "scales:certificates", frozenset({C, S, D, G}), order=53,
            group=GROUP),
    NavItem(_("公平秤复称"), "scales:reweighs", frozenset({C, S, D, G, Role.COMMUNITY}),
            order=54, group=GROUP),
    NavItem(_("计量统计"), "scales:kpis",
            frozenset({C, S, D, Role.ASSOCIATION, Role.COMMUNITY}), order=55, group=GROUP),
]
