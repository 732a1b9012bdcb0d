"""The work-order settings each district may change (DESIGN section 6 defaults)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup, Values
from shangquan.core.errors import ValidationFailed


def _weights_not_all_zero(values: Values) -> None:
    if not (values.weight_response or values.weight_resolution or values.weight_satisfaction):
        raise ValidationFailed(_g("三项权重不能都为 0"), code="weights_all_zero")


SETTINGS = SettingsGroup(
    app="workorders",
    label=_("工单设置"),
    manage="workorders.settings_manage",
    view="workorders.kpi",
    audit_action="workorders.settings.update",
    check=_weights_not_all_zero,
    settings=(
        Setting("duplicate_radius_m", int, 150, _("重复判定半径（米）"), min=0, max=5000),
        Setting("duplicate_window_hours", int, 72, _("重复判定时间窗（小时）"), min=0, max=24 * 90),
        Setting("rating_window_days", int, 7, _("评价期限（天）"),
                _("办结后群众可评价的天数，过期自动结单"), min=1, max=90),
        Setting("reopen_limit", int, 2, _("重办次数上限（超过后上报街道）"), min=0, max=20),
        Setting("weight_response", Decimal, Decimal("0.1"), _("响应率权重"),
                _("综合得分 = 各率按权重加权（权重自动归一）"), min=Decimal(0), max=Decimal(1)),
        Setting("weight_resolution", Decimal, Decimal("0.5"), _("解决率权重"),
                min=Decimal(0), max=Decimal(1)),
        Setting("weight_satisfaction", Decimal, Decimal("0.4"), _("满意率权重"),
                min=Decimal(0), max=Decimal(1)),
    ),
)
