"""Points settings a district may change (defaults from issue 14)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="points",
    label=_("积分与积分超市"),
    manage="points.manage",
    view="points.view",
    audit_action="points.settings.update",
    settings=(
        Setting("expiry_months", int, 24, _("积分有效期（月）"),
                _("每批积分自获得之日起满此月数后过期"), min=1, max=120),
        Setting("pickup_days", int, 7, _("核销码有效天数"),
                _("兑换后须在此天数内到店核销，逾期释放积分和库存"), min=1, max=60),
        Setting("adjust_threshold", int, 200, _("人工调整复核线（分）"),
                _("单笔调整超过此分值须另一名工作人员复核"), min=0, max=100000),
        Setting("remind_first_days", int, 30, _("首次到期提醒（天）"),
                _("积分到期前此天数发送提醒"), min=1, max=365),
        Setting("remind_second_days", int, 7, _("再次到期提醒（天）"),
                _("积分到期前此天数再次提醒"), min=1, max=365),
    ),
)
