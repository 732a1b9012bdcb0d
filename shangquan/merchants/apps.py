from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class MerchantsConfig(AppConfig):
    name = "shangquan.merchants"
    label = "merchants"
    verbose_name = "商户与网格"
    contributes = Contributions(
        api="shangquan.merchants.api:router",
        public_api="shangquan.merchants.api:public_router",
        urls="shangquan.merchants.urls",
        jobs=(
            ("shangquan.merchants.tasks.extend_rosters", 24 * 3600),
        ),
        nav="shangquan.merchants.nav:NAV",
        policies="shangquan.merchants.policies",
        dashboard_cards="shangquan.merchants.dashboard:cards",
        demo="shangquan.merchants.demo",
        person_erased=("shangquan.merchants.erasure:person_erase",),
    )
