from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import Role

GROUP = _("检查与整改")
STAFF = frozenset({Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER})
PLANNERS = frozenset({Role.COMMITTEE, Role.STREET, Role.DEPARTMENT})

NAV = [
    NavItem(_("检查任务"), "inspections:list", STAFF, order=40, group=GROUP),
    NavItem(_("整改单"), "inspections:rectifications",
            frozenset(STAFF | {Role.MERCHANT}), order=41, group=GROUP),
    NavItem(_("我的检查记录"), "inspections:mine", frozenset({Role.MERCHANT}), order=41,
            group=GROUP),
    NavItem(_("节日专项行动"), "inspections:campaigns", PLANNERS, order=42, group=GROUP),
    NavItem(_("风险台账"), "inspections:risk", STAFF, order=43, group=GROUP),
    NavItem(_("检查表"), "inspections:templates", STAFF, order=44, group=GROUP),
]
