from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class OrgConfig(AppConfig):
    name = "shangquan.org"
    label = "org"
    verbose_name = "党组织"
    contributes = Contributions(
        api="shangquan.org.api:router",
        public_api="shangquan.org.api:public_router",
        urls="shangquan.org.urls",
        nav="shangquan.org.nav:NAV",
        policies="shangquan.org.policies",
        dashboard_cards="shangquan.org.dashboard:cards",
        demo="shangquan.org.demo",
        person_erased=("shangquan.org.services:member_erase",),
    )
