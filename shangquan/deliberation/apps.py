from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class DeliberationConfig(AppConfig):
    name = "shangquan.deliberation"
    label = "deliberation"
    verbose_name = "议事协商"
    contributes = Contributions(
        api="shangquan.deliberation.api:router",
        public_api="shangquan.deliberation.api:public_router",
        urls="shangquan.deliberation.urls",
        jobs=(
            ("shangquan.deliberation.tasks.send_digests", 24 * 3600),
            ("shangquan.deliberation.tasks.close_due_votes", 300),
        ),
        nav="shangquan.deliberation.nav:NAV",
        policies="shangquan.deliberation.policies",
        dashboard_cards="shangquan.deliberation.dashboard:cards",
        public_tiles="shangquan.deliberation.public_tiles:tiles",
        demo="shangquan.deliberation.demo",
        district_settings="shangquan.deliberation.settings_schema:SETTINGS",
        indicators="shangquan.deliberation.indicators:INDICATORS",
    )
