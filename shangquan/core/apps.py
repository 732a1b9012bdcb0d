from django.apps import AppConfig
from django.core import checks

from . import dbguard
from .extensions import Contributions, check_contributions, collect


class CoreConfig(AppConfig):
    name = "shangquan.core"
    label = "core"
    verbose_name = "平台核心"
    # The core's own API router is mounted at /api/v1/ by shangquan/api.py.
    contributes = Contributions(
        urls="shangquan.core.urls",
        jobs=(
            ("shangquan.core.tasks.purge_idempotency_records", 6 * 3600),
            ("shangquan.core.tasks.purge_one_time_codes", 24 * 3600),
            ("shangquan.core.tasks.send_notification_digests", 24 * 3600),
        ),
        nav="shangquan.core.nav:NAV",
        policies="shangquan.core.policies",
        dashboard_cards="shangquan.core.dashboard:cards",
    )

    def ready(self) -> None:
        # Every app's policies register their role tables, object rules and audit
        # actions on import.
        collect("policies")
        checks.register(_contributions_resolve)
        dbguard.install()  # SQLite: the audit log's DELETE trigger asks a function of ours
        from .sqlitewriters import install as sqlitewriters_install

        sqlitewriters_install()  # SQLite: writers queue on a lock that wakes them at once
        from .inputs import install as inputs_install

        inputs_install()  # every save checks lengths and ranges against the model
        from .querycount import install as querycount_install

        querycount_install()  # benchmarks only: SHANGQUAN_QUERY_COUNT_DIR


def _contributions_resolve(app_configs, **kwargs):
    return [checks.Error(problem, id="shangquan.E001") for problem in check_contributions()]
