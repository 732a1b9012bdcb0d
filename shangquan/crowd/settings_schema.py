"""The crowd settings each district may change: how long counter history is kept.

The warning and entry-control thresholds (80 / 90 / 100 % and their hysteresis, DESIGN
section 6) are not district settings: each zone carries its own (a waiting area and the
main street differ), checked in order by the zone's constraints; those numbers are only
the defaults of a new zone.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="crowd",
    label=_("客流数据保留"),
    manage="crowd.manage",
    view="crowd.view",
    audit_action="crowd.settings.update",
    settings=(
        Setting("reading_retention_days", int, 30, _("原始计数保留天数"),
                _("闸机上报的原始计数超过此天数后删除"), min=1, max=3660),
        Setting("minute_retention_days", int, 400, _("分钟汇总保留天数"),
                _("报表所用的分钟汇总超过此天数后删除"), min=1, max=3660),
    ),
)
