"""The metrology settings each district may change (DESIGN section 6: configurable)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="scales",
    label=_("监管设置"),
    manage="scales.settings_manage",
    view="scales.kpi_view",
    audit_action="scales.settings.update",
    settings=(
        Setting("check_window_days", int, 7, _("查验周期（天）"),
                _("每台计量器具至少每 N 天查验一次"), min=1, max=366),
        Setting("daily_quota", int, 0, _("每日最少查验台数（0 为自动）"),
                _("0 表示按周期平均分配"), min=0, max=10_000),
        Setting("lookback_days", int, 90, _("风险回看天数"), min=1, max=3660),
        Setting("warn_days", int, 30, _("检定到期提前提醒（天）"), min=0, max=366),
        Setting("verification_months", int, 12, _("检定周期（月）"), min=1, max=120),
        Setting("rectification_days", int, 7, _("整改期限（天）"), min=1, max=365),
        Setting("suspend_on_expiry", bool, True, _("检定过期自动停用")),
    ),
)
