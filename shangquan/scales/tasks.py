"""Timers of the scales app: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def certificates_sweep() -> dict[str, int]:
    """Daily: warn before verification certificates expire, suspend expired scales."""
    return services.certificates_sweep_all()


@task()
def daily_plans() -> int:
    """Freeze each district's spot-check plan early in the day (audit trail)."""
    return services.plans_ensure_all()
