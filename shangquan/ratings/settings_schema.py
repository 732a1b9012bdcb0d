"""The ratings thresholds each district may change (issue 13 defaults)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="ratings",
    label=_("评比设置"),
    manage="ratings.settings_manage",
    view="ratings.view",
    audit_action="ratings.settings.update",
    settings=(
        Setting("min_resident_scores", int, 5, _("居民评分最少人数"),
                _("不足时居民占比按比例转给其他评分方"), min=1, max=1000),
        Setting("trim_percent", int, 20, _("居民评分去掉最高最低（%）"),
                _("每端去掉的比例，抵御刷分"), min=0, max=40),
        Setting("provisional_days", int, 7, _("公示期（天）"),
                _("公示期内商户可公开回应或申诉；期满方可发布"), min=0, max=60),
        Setting("appeal_days", int, 21, _("申诉期限（天）"), _("自公示之日起"), min=1, max=90),
        Setting("deduct_spot_check", int, 5, _("计量查验不合格扣分（每次）"), min=0, max=50),
        Setting("deduct_work_order", int, 3, _("查实投诉扣分（每件）"), min=0, max=50),
        Setting("deduct_serious_finding", int, 5, _("严重隐患扣分（每项）"), min=0, max=50),
        Setting("deduct_overdue_rectification", int, 5, _("整改逾期扣分（每单）"), min=0, max=50),
        Setting("deduct_outdoor", int, 2, _("外摆不达标扣分（每次）"), min=0, max=50),
        Setting("credit_public_service_cap", int, 10, _("公益参与加分上限（每期）"),
                _("志愿服务、公益服务台账的加分合计不超过此数；0 为不加分"), min=0, max=50),
        Setting("outdoor_threshold", int, 8, _("外摆达标分（0–10）"),
                _("低于此分须拍照，计为不达标"), min=1, max=10),
        Setting("outdoor_fail_streak", int, 3, _("外摆连续不达标次数转整改"), min=1, max=30),
        Setting("delist_complaints", int, 2, _("摘牌：90 天内查实投诉件数"), min=1, max=100),
        Setting("delist_on_short_reweigh", bool, True, _("摘牌：复称短秤")),
        Setting("warn_days", int, 30, _("警示整改期限（天）"), min=1, max=365),
    ),
)
