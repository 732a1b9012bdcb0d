from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class PlugappConfig(AppConfig):
    name = "shangquan.core.tests.plugapp"
    label = "plugapp"
    contributes = Contributions(
        api="shangquan.core.tests.plugapp.api:router",
        public_api="shangquan.core.tests.plugapp.api:public_router",
        urls="shangquan.core.tests.plugapp.urls",
        jobs=(("shangquan.core.tests.plugapp.tasks.tick", 600),),
        nav="shangquan.core.tests.plugapp.nav:NAV",
    )
