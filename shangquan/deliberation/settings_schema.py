"""Deliberation settings a district may change: the public answer deadline of suggestions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shangquan.core.district_settings import Setting, SettingsGroup

SETTINGS = SettingsGroup(
    app="deliberation",
    label=_("议事协商"),
    manage="deliberation.manage",
    view="deliberation.view",
    audit_action="deliberation.settings.update",
    settings=(
        Setting("answer_working_days", int, 15, _("建议答复期限（工作日）"),
                _("提交后多少个工作日内必须公开答复"), min=1, max=60),
        Setting("fan_out_days", int, 30, _("分派商户的完成期限（天）"),
                _("议定事项分派到商户时默认的完成期限"), min=1, max=365),
    ),
)
