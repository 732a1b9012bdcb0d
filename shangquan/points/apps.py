from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class PointsConfig(AppConfig):
    name = "shangquan.points"
    label = "points"
    verbose_name = "积分超市"
    contributes = Contributions(
        api="shangquan.points.api:router",
        urls="shangquan.points.urls",
        jobs=(
            # expiry and its reminders are idempotent: a second run the same day does nothing
            ("shangquan.points.tasks.expire_lots", 3600),
            ("shangquan.points.tasks.remind_expiring", 6 * 3600),
            ("shangquan.points.tasks.expire_reservations", 300),
            ("shangquan.points.tasks.sync_report_awards", 600),
            # the nightly ledger audit: every balance equals the sum of its legs
            ("shangquan.points.tasks.audit_ledger", 24 * 3600),
        ),
        nav="shangquan.points.nav:NAV",
        public_tiles="shangquan.points.public_tiles:tiles",
        policies="shangquan.points.policies",
        dashboard_cards="shangquan.points.dashboard:cards",
        demo="shangquan.points.demo",
        district_settings="shangquan.points.settings_schema:SETTINGS",
        district_created=("shangquan.points.services.ledger:district_defaults_seed",),
        indicators="shangquan.points.indicators:INDICATORS",
    )
