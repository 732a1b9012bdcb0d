"""The inspection rules each district may change: rectification deadlines by severity
and the repeat-finding window (days)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="inspections",
    label=_("检查规则"),
    manage="inspections.rules_manage",
    view="inspections.template_view",
    audit_action="inspections.rules.update",
    settings=(
        Setting("general_days", int, 7, _("一般隐患整改期限（天）"), min=1, max=365),
        Setting("major_days", int, 3, _("较重隐患整改期限（天）"), min=1, max=365),
        Setting("serious_days", int, 1, _("严重隐患整改期限（天）"), min=1, max=365),
        Setting("repeat_window_days", int, 90, _("重复隐患预警窗口（天）"),
                _("同一商户同一检查项在此天数内再次不合格即为重复隐患"), min=1, max=365),
    ),
)
