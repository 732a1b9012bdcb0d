from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem

from .policies import VIEW

GROUP = _("客流管控")
STAFF = frozenset(VIEW)

NAV = [
    NavItem(_("客流看板"), "crowd:board", STAFF, order=60, group=GROUP),
    NavItem(_("客流预警"), "crowd:alerts", STAFF, order=61, group=GROUP),
    NavItem(_("区域与承载量"), "crowd:zones", STAFF, order=62, group=GROUP),
    NavItem(_("出入口与计数器"), "crowd:gates", STAFF, order=63, group=GROUP),
    NavItem(_("客流报表"), "crowd:report",
            frozenset({"committee", "street", "department"}), order=64, group=GROUP),
]
