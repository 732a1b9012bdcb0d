from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class RatingsConfig(AppConfig):
    name = "shangquan.ratings"
    label = "ratings"
    verbose_name = "文明诚信评比"
    contributes = Contributions(
        api="shangquan.ratings.api:router",
        public_api="shangquan.ratings.api:public_router",
        urls="shangquan.ratings.urls",
        jobs=(("shangquan.ratings.tasks.titles_sweep", 24 * 3600),),
        nav="shangquan.ratings.nav:NAV",
        policies="shangquan.ratings.policies",
        indicators="shangquan.ratings.indicators:INDICATORS",
        dashboard_cards="shangquan.ratings.dashboard:cards",
        merchant_sections="shangquan.ratings.merchant_sections:sections",
        demo="shangquan.ratings.demo",
        district_settings="shangquan.ratings.settings_schema:SETTINGS",
        district_created=("shangquan.ratings.services.schemes:scheme_seed_district",),
    )
