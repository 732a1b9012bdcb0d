from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import STAFF_ROLES, Role

GROUP = _("党建")
MANAGERS = frozenset({Role.COMMITTEE, Role.STREET})

NAV = [
    NavItem(_("组织架构"), "org:tree", frozenset(STAFF_ROLES), order=15, group=GROUP),
    NavItem(_("联盟与共建"), "org:alliances", frozenset(STAFF_ROLES), order=16, group=GROUP),
    NavItem(_("党员名册"), "org:members", MANAGERS, order=17, group=GROUP),
    NavItem(_("联络站"), "org:stations", MANAGERS, order=18, group=GROUP),
    NavItem(_("流动党员报到"), "org:registry", MANAGERS, order=19, group=GROUP),
]
