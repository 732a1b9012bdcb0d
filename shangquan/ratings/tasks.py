"""Timers of the ratings app: thin wrappers over services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def titles_sweep() -> int:
    """Daily 优进绌退: warned titles past their deadline, complaints, short re-weighs."""
    return services.titles_sweep_all()
