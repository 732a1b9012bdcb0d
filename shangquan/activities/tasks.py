"""Periodic activity jobs (declared in the app's apps.py): thin wrappers over services."""

from django_tasks import task

from . import services


@task()
def advance_events() -> dict:
    """Sign-up closes when an event starts; ended events are done (absentees marked)."""
    return services.events_advance()
