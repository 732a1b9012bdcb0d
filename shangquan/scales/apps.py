from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class ScalesConfig(AppConfig):
    name = "shangquan.scales"
    label = "scales"
    verbose_name = "公平秤"
    contributes = Contributions(
        api="shangquan.scales.api:router",
        public_api="shangquan.scales.api:public_router",
        urls="shangquan.scales.urls",
        jobs=(
            ("shangquan.scales.tasks.certificates_sweep", 24 * 3600),
            ("shangquan.scales.tasks.daily_plans", 3600),
        ),
        nav="shangquan.scales.nav:NAV",
        policies="shangquan.scales.policies",
        dashboard_cards="shangquan.scales.dashboard:cards",
        merchant_sections="shangquan.scales.merchant_sections:sections",
        public_tiles="shangquan.scales.public_tiles:tiles",
        demo="shangquan.scales.demo",
        district_settings="shangquan.scales.settings_schema:SETTINGS",
        indicators="shangquan.scales.indicators:INDICATORS",
    )
