from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem

from .policies import STAFF

GROUP = _("志愿活动与党建")

NAV = [
    NavItem(_("活动日历"), "activities:events", frozenset(STAFF | {"volunteer", "grid_leader"}),
            order=75, group=GROUP),
    NavItem(_("志愿队伍"), "activities:teams", frozenset(STAFF | {"volunteer"}), order=76,
            group=GROUP),
    NavItem(_("扫码签到与核销"), "activities:scanner",
            frozenset({"committee", "community", "association", "volunteer", "grid_leader",
                       "merchant"}), order=78, group=GROUP),
    NavItem(_("党建台账"), "activities:party", frozenset({"committee", "street"}), order=77,
            group=GROUP),
]
