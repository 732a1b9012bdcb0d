from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class ActivitiesConfig(AppConfig):
    name = "shangquan.activities"
    label = "activities"
    verbose_name = "志愿活动与党建"
    contributes = Contributions(
        api="shangquan.activities.api:router",
        urls="shangquan.activities.urls",
        jobs=(
            # events whose sign-up deadline passed close; ended events are done
            ("shangquan.activities.tasks.advance_events", 600),
        ),
        nav="shangquan.activities.nav:NAV",
        public_tiles="shangquan.activities.public_tiles:tiles",
        policies="shangquan.activities.policies",
        dashboard_cards="shangquan.activities.dashboard:cards",
        demo="shangquan.activities.demo",
        district_settings="shangquan.activities.settings_schema:SETTINGS",
        indicators="shangquan.activities.indicators:INDICATORS",
        rating_evidence=("shangquan.activities.rating_evidence:evidence",),
    )
