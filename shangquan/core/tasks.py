from django_tasks import task

from . import idempotency


@task()
def purge_idempotency_records() -> int:
    return idempotency.purge_expired()
