"""Periodic deliberation jobs (declared in apps.py): thin wrappers over services."""

from django_tasks import task

from .services import announcements, conventions


@task()
def send_digests() -> int:
    """The daily digest: one message per person with news, none when there is nothing."""
    return announcements.digests_send()


@task()
def close_due_votes() -> int:
    """Votes whose closing time has passed are closed and counted."""
    return conventions.conventions_close_due()
