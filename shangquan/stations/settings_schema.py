"""The booking, loan and map settings each district may change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="stations",
    label=_("站点与预约"),
    manage="stations.manage",
    view="stations.view",
    audit_action="stations.settings.update",
    settings=(
        Setting("book_days_ahead", int, 14, _("提前几天开放预约"), "", min=1, max=90),
        Setting("min_notice_minutes", int, 120, _("最短提前预约（分钟）"), "", min=0,
                max=7 * 24 * 60),
        Setting("cancel_notice_minutes", int, 60, _("最晚取消（开始前分钟）"), "", min=0,
                max=24 * 60),
        Setting("max_active_bookings", int, 2, _("每人同时有效预约数"), "", min=1, max=20),
        Setting("max_active_per_merchant", int, 2, _("每户商户同时有效预约数"),
                _("同一商户的全部人员合计"), min=1, max=20),
        Setting("hold_minutes", int, 120, _("候补转正后保留（分钟）"),
                _("候补转正后须在此时间内确认，否则让给下一位"), min=5, max=24 * 60),
        Setting("no_show_limit", int, 3, _("爽约次数上限（90 天内）"), "", min=1, max=20),
        Setting("block_days", int, 30, _("爽约达上限后暂停预约天数"), "", min=1, max=365),
        Setting("loan_hours", int, 24, _("借用物品应还时限（小时）"), "", min=1, max=24 * 30),
        Setting("max_distance_m", int, 5000, _("站点距商圈中心最远（米）"),
                _("超出此距离的坐标视为填错"), min=100, max=100_000),
    ),
)
