"""Timers for the loop: overdue checks (吹哨) and auto-close after the rating window."""

from django_tasks import task

from . import services


@task()
def check_overdue() -> int:
    return services.overdue_check()


@task()
def close_unrated() -> int:
    return services.auto_close()
