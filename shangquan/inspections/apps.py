from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class InspectionsConfig(AppConfig):
    name = "shangquan.inspections"
    label = "inspections"
    verbose_name = "检查与整改"
    contributes = Contributions(
        api="shangquan.inspections.api:router",
        urls="shangquan.inspections.urls",
        jobs=(
            ("shangquan.inspections.tasks.escalate_overdue_rectifications", 15 * 60),
        ),
        nav="shangquan.inspections.nav:NAV",
        policies="shangquan.inspections.policies",
        dashboard_cards="shangquan.inspections.dashboard:cards",
        merchant_sections="shangquan.inspections.merchant_sections:sections",
        demo="shangquan.inspections.demo",
        district_settings="shangquan.inspections.settings_schema:SETTINGS",
        indicators="shangquan.inspections.indicators:INDICATORS",
        person_erased=("shangquan.inspections.erasure:signatures_erase",),
    )
