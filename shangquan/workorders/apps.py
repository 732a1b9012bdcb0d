from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class WorkordersConfig(AppConfig):
    name = "shangquan.workorders"
    label = "workorders"
    verbose_name = "四单工单"
    contributes = Contributions(
        api="shangquan.workorders.api:router",
        public_api="shangquan.workorders.api:public_router",
        urls="shangquan.workorders.urls",
        mounted_urls=(("open311/v2/", "shangquan.workorders.open311"),),
        jobs=(
            ("shangquan.workorders.tasks.check_overdue", 5 * 60),
            ("shangquan.workorders.tasks.close_unrated", 30 * 60),
        ),
        nav="shangquan.workorders.nav:NAV",
        policies="shangquan.workorders.policies",
        dashboard_cards="shangquan.workorders.dashboard:cards",
        public_tiles="shangquan.workorders.public_tiles:tiles",
        demo="shangquan.workorders.demo",
        district_settings="shangquan.workorders.settings_schema:SETTINGS",
        district_created=("shangquan.workorders.services:district_categories_seed",),
        person_erased=("shangquan.workorders.services:reporter_erase",
                       "shangquan.workorders.metoo:metoo_erase"),
        indicators="shangquan.workorders.indicators:INDICATORS",
    )
