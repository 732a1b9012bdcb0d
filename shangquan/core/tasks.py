from django_tasks import task

from . import services
from .actors import SYSTEM


@task()
def purge_idempotency_records() -> int:
    return services.idempotency_purge(actor=SYSTEM)


@task()
def purge_one_time_codes() -> int:
    """Login codes are personal data with no use after they expire (PIPL art. 19, 47)."""
    return services.otp_purge(actor=SYSTEM)


@task()
def send_notification_digests() -> int:
    """Once a day: each person's notifications kept for the digest, in one message."""
    return services.notification_digest_send(actor=SYSTEM)
