from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem

from .policies import VIEW

GROUP = _("议事协商")
STAFF = frozenset(VIEW)

NAV = [
    NavItem(_("议事协商"), "deliberation:home", STAFF, order=120, group=GROUP),
    NavItem(_("群众建议"), "deliberation:suggestions", STAFF, order=121, group=GROUP),
    NavItem(_("公约表决"), "deliberation:conventions", STAFF, order=122, group=GROUP),
    NavItem(_("公告宣传"), "deliberation:announcements", STAFF, order=123, group=GROUP),
    NavItem(_("议事会"), "deliberation:councils", STAFF, order=124, group=GROUP),
    NavItem(_("会议"), "deliberation:meetings", STAFF, order=125, group=GROUP),
    NavItem(_("问卷"), "deliberation:surveys", STAFF, order=126, group=GROUP),
]
