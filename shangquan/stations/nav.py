from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem

from .policies import DESK, STAFF

GROUP = _("服务站点")

NAV = [
    NavItem(_("站点与设施"), "stations:console", frozenset(STAFF), order=70, group=GROUP),
    NavItem(_("服务日窗口"), "stations:desk", frozenset(DESK), order=71, group=GROUP),
    NavItem(_("场地预订"), "stations:rooms", frozenset(STAFF), order=72, group=GROUP),
    NavItem(_("借用登记"), "stations:loans", frozenset({"committee", "grid_leader",
                                                      "volunteer"}), order=73, group=GROUP),
    NavItem(_("特殊开放时间"), "stations:hours", frozenset(STAFF), order=75, group=GROUP),
    NavItem(_("预约事项"), "stations:services_console", frozenset(STAFF), order=76,
            group=GROUP),
    NavItem(_("值班岗位"), "stations:duty", frozenset(STAFF | {"volunteer"}), order=77,
            group=GROUP),
    NavItem(_("防走失手环"), "stations:wristbands",
            frozenset({"committee", "grid_leader", "volunteer", "department"}), order=74,
            group=GROUP),
]
