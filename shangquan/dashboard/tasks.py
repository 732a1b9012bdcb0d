"""Timers of the dashboard: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def snapshots_freeze() -> int:
    """Nightly (hourly, idempotent): freeze the closed periods' indicator values."""
    return services.snapshots_freeze_all()


@task()
def reports_scheduled() -> int:
    """Weekly (Monday 08:00), monthly and quarterly reports per district and street."""
    return len(services.reports_scheduled())
