from django.apps import AppConfig

from shangquan.core.extensions import Contributions


class DashboardConfig(AppConfig):
    name = "shangquan.dashboard"
    label = "dashboard"
    verbose_name = "数据看板"
    # Last in the app order: it reads the other apps' indicators (Contributions.indicators)
    # and writes nothing of theirs.
    contributes = Contributions(
        api="shangquan.dashboard.api:router",
        urls="shangquan.dashboard.urls",
        nav="shangquan.dashboard.nav:NAV",
        policies="shangquan.dashboard.policies",
        jobs=(
            # closed periods' values frozen once (idempotent: a period frozen stays as is)
            ("shangquan.dashboard.tasks.snapshots_freeze", 3600),
            # weekly/monthly/quarterly reports once their period closed (idempotent)
            ("shangquan.dashboard.tasks.reports_scheduled", 900),
        ),
        demo="shangquan.dashboard.demo",
    )
