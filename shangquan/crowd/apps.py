from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class CrowdConfig(AppConfig):
    name = "shangquan.crowd"
    label = "crowd"
    verbose_name = "客流管控"
    contributes = Contributions(
        api="shangquan.crowd.api:router",
        urls="shangquan.crowd.urls",
        jobs=(
            ("shangquan.crowd.tasks.expire_overrides", 60),
            ("shangquan.crowd.tasks.purge_history", 24 * 3600),
        ),
        nav="shangquan.crowd.nav:NAV",
        policies="shangquan.crowd.policies",
        dashboard_cards="shangquan.crowd.dashboard:cards",
        demo="shangquan.crowd.demo",
        district_settings="shangquan.crowd.settings_schema:SETTINGS",
        # /healthz checks the MQTT bridge's heartbeat (where a broker is configured).
        health_checks="shangquan.crowd.mqtt:bridge_health_checks",
        indicators="shangquan.crowd.indicators:INDICATORS",
    )
