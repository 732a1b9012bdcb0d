from django.utils.translation import gettext_lazy as _

from .navigation import NavItem
from .roles import Role

NAV = [
    NavItem(_("工作台"), "core:console_district", order=0),
    NavItem(_("消息"), "core:notifications", order=90),
    NavItem(_("部门与成员"), "core:people", frozenset({Role.COMMITTEE, Role.STREET}), order=95,
            group=_("管理")),
    NavItem(_("商圈设置"), "core:settings", frozenset({Role.COMMITTEE, Role.STREET}), order=97,
            group=_("管理")),
    NavItem(_("审计日志"), "core:audit", frozenset({Role.COMMITTEE, Role.STREET}), order=96,
            group=_("管理")),
]
