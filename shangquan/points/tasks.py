"""Periodic points jobs (declared in the app's apps.py): thin wrappers over services."""

from django_tasks import task

from .services import ledger, shop


@task()
def expire_lots() -> int:
    """Lots past their date expire (idempotent)."""
    return ledger.lots_expire()


@task()
def remind_expiring() -> int:
    """Reminders 30 and 7 days before points expire, once each."""
    return ledger.lots_remind()


@task()
def expire_reservations() -> int:
    """Reservations past their pickup window release points and stock."""
    return shop.redemptions_expire()


@task()
def sync_report_awards() -> dict:
    """随手拍: substantiated reports earn points; overturned ones are reversed."""
    return ledger.report_awards_sync()


@task()
def audit_ledger() -> dict:
    """The nightly audit: every balance equals the sum of its legs (SQLite and PostgreSQL)."""
    return ledger.ledger_audit()
