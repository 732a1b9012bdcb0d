"""Thin task wrappers; the periodic ones are declared in the app's apps.py."""

from django_tasks import task

from . import services


@task()
def escalate_overdue_rectifications() -> int:
    return services.rectification_escalate_overdue()
