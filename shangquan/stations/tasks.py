"""Periodic stations jobs (declared in apps.py): thin wrappers over services."""

from django_tasks import task

from . import services


@task()
def send_reminders() -> int:
    """Booking reminders 24 h and 1 h before."""
    return services.reminders_send()


@task()
def expire_holds() -> int:
    """Promoted waiting-list bookings not confirmed in time go to the next in line."""
    return services.holds_expire()


@task()
def purge_wristbands() -> int:
    """Wristband registrations are deleted after the evening (06:00)."""
    return services.wristbands_purge()
