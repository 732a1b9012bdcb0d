from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class StationsConfig(AppConfig):
    name = "shangquan.stations"
    label = "stations"
    verbose_name = "服务站点"
    contributes = Contributions(
        api="shangquan.stations.api:router",
        public_api="shangquan.stations.api:public_router",
        urls="shangquan.stations.urls",
        jobs=(
            ("shangquan.stations.tasks.send_reminders", 300),
            ("shangquan.stations.tasks.expire_holds", 300),
            ("shangquan.stations.tasks.purge_wristbands", 3600),
        ),
        nav="shangquan.stations.nav:NAV",
        policies="shangquan.stations.policies",
        indicators="shangquan.stations.indicators:INDICATORS",
        dashboard_cards="shangquan.stations.dashboard:cards",
        public_tiles="shangquan.stations.public_tiles:tiles",
        demo="shangquan.stations.demo",
        district_settings="shangquan.stations.settings_schema:SETTINGS",
    )

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shangquan.core.models import District

        from .models import Amenity, HoursException, Station
        from .public import on_district_changed, on_row_changed

        for model in (Station, Amenity, HoursException):
            for signal in (post_save, post_delete):
                signal.connect(on_row_changed, sender=model,
                               dispatch_uid=f"stations-map-{model.__name__}-{signal}")
        post_save.connect(on_district_changed, sender=District, dispatch_uid="stations-map-district")
