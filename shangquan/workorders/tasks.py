"""Timers for the loop: overdue checks (吹哨) and auto-close after the rating window."""

from django_tasks import task

from . import services


@task()
def check_overdue() -> int:
    return services.overdue_check()


@task()
def close_unrated() -> int:
    return services.auto_close()


@task()
def order_submitted(order_id: int, *, actor: int | None, day: str, buckets: list,
                    photos: list[str] = ()) -> None:
    """Queued by an intake in its own transaction: the work the reporter need not wait for."""
    services._submitted(order_id=order_id, actor=actor, day=day, buckets=buckets,
                        photos=photos)
