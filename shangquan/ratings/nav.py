from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem
from shangquan.core.roles import Role

C, S, A, M = Role.COMMITTEE, Role.STREET, Role.ASSOCIATION, Role.COMMUNITY
G, D = Role.GRID_LEADER, Role.DEPARTMENT
GROUP = _("文明诚信")

NAV = [
    NavItem(_("评比周期"), "ratings:periods", frozenset({C, S, A, M, G, D}), order=60, group=GROUP),
    NavItem(_("评比申诉"), "ratings:appeals", frozenset({C, S, A, M}), order=61, group=GROUP),
    NavItem(_("红旗与称号"), "ratings:awards", frozenset({C, S, A, M, G, D}), order=62, group=GROUP),
    NavItem(_("外摆检查"), "ratings:outdoor", frozenset({C, G}), order=63, group=GROUP),
    NavItem(_("外摆达标率"), "ratings:outdoor_board", frozenset({C, S, G, A, M, D}), order=64,
            group=GROUP),
    NavItem(_("评比方案"), "ratings:scheme", frozenset({C}), order=65, group=GROUP),
    NavItem(_("我的评比"), "ratings:mine", frozenset({Role.MERCHANT}), order=66, group=GROUP),
]
