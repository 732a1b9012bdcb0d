"""Periodic crowd jobs (declared in the app's apps.py): thin wrappers over services."""

from django_tasks import task

from . import services


@task()
def expire_overrides() -> int:
    """Staff overrides whose time ran out go back to automatic control."""
    return services.overrides_expire()


@task()
def purge_history() -> dict:
    """Raw readings and minute roll-ups past their retention are deleted."""
    return services.history_purge()
