from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import STAFF_ROLES, Role

GROUP = _("商户与网格")
MANAGERS = frozenset({Role.COMMITTEE, Role.ASSOCIATION})

NAV = [
    NavItem(_("我的店铺"), "merchants:mine", frozenset({Role.MERCHANT}), order=9, group=GROUP),
    NavItem(_("商户名录"), "merchants:list", frozenset(STAFF_ROLES), order=10, group=GROUP),
    NavItem(_("批量导入"), "merchants:import", MANAGERS, order=11, group=GROUP),
    NavItem(_("十邻铺网格"), "merchants:grids", frozenset(STAFF_ROLES), order=12, group=GROUP),
    NavItem(_("街区管家排班"), "merchants:rosters", frozenset(STAFF_ROLES), order=13,
            group=GROUP),
    NavItem(_("商会协会"), "merchants:associations", frozenset(STAFF_ROLES), order=14,
            group=GROUP),
]
