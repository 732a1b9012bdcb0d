"""Periodic jobs, declared in one place. ``shangquan worker`` enqueues them on time.

Each entry: (dotted path of a django-tasks ``@task``, interval in seconds). Apps add
their timers here (overdue checks, auto-close, certificate expiry, roll-ups …).
"""

PERIODIC_JOBS: list[tuple[str, int]] = [
    ("shangquan.core.tasks.purge_idempotency_records", 6 * 3600),
    ("shangquan.crowd.tasks.expire_overrides", 60),
    ("shangquan.crowd.tasks.purge_history", 24 * 3600),
    ("shangquan.core.tasks.purge_one_time_codes", 24 * 3600),
    ("shangquan.inspections.tasks.escalate_overdue_rectifications", 15 * 60),
    ("shangquan.workorders.tasks.check_overdue", 5 * 60),
    ("shangquan.workorders.tasks.close_unrated", 30 * 60),
    ("shangquan.scales.tasks.certificates_sweep", 24 * 3600),
    ("shangquan.scales.tasks.daily_plans", 3600),
    ("shangquan.merchants.tasks.extend_rosters", 24 * 3600),
]
