from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import idempotency
from .models import OneTimeCode


@task()
def purge_idempotency_records() -> int:
    return idempotency.purge_expired()


@task()
def purge_one_time_codes() -> int:
    """Login codes are personal data with no use after they expire (PIPL art. 19, 47)."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = OneTimeCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
