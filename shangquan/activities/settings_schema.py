"""Activity settings a district may change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="activities",
    label=_("志愿活动"),
    manage="activities.manage",
    view="activities.view",
    audit_action="activities.settings.update",
    settings=(
        Setting("checkout_grace_minutes", int, 60, _("签退宽限（分钟）"),
                _("活动结束后此时间内仍可签退"), min=0, max=600),
        Setting("default_radius_m", int, 500, _("默认签到距离（米）"),
                _("活动设了位置而未设签到距离时使用；0 为不限"), min=0, max=20000),
    ),
)
