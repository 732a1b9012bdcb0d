"""Idempotency-Key: the first answer to a creating POST is stored and replayed.

Works for every POST (API, Open311, web forms): the key comes from the
``Idempotency-Key`` header or, for HTML forms, a hidden ``idempotency_key`` field.
The scope is the caller (token, session user, or anonymous) so keys never collide
across people.

One transaction (``IdempotencyMiddleware``): the claim, the business write and the stored
answer commit together or not at all, so an order exists if and only if its answer is
stored. A request that dies (a crash, ``kill -9``, a lost database) takes its claim with
it and the retry runs afresh; a committed record without an answer (left by an older
version) is reclaimed at once. A concurrent duplicate waits for the first request's
transaction, at most ``IDEMPOTENCY_WAIT_SECONDS``, then gets 409 with ``Retry-After``.

A request that hangs instead of dying (a stuck call, a frozen process) would hold its claim,
and the key, as long as its transaction stays open. So the claim is a lease: on PostgreSQL
the claiming transaction may sit idle at most ``IDEMPOTENCY_LEASE_SECONDS``
(``idle_in_transaction_session_timeout``, local to it); then the server ends that session,
its writes roll back with the claim, and a retry runs afresh. (SQLite, for development,
has one writer at a time and no way to end another's transaction.)

Answers that carry a secret are never stored: a service that mints one (``token_issue``)
calls :func:`secret_in_answer`, and answers marked ``Cache-Control: no-store`` are skipped
too. The retry then runs afresh, through the rate limit and the audit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "idempotency_key"


def request_key(request: HttpRequest) -> str:
    key = request.META.get(HEADER, "")
    if not key and request.content_type in ("application/x-www-form-urlencoded",
                                            "multipart/form-data"):
        key = request.POST.get(FORM_FIELD, "")
    return key.strip()[:128]


def request_scope(request: HttpRequest) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        principal = "auth:" + auth
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        principal = f"user:{request.user.pk}"
    else:
        principal = "anon"
    # Open311 clients authenticate with an api_key in the query string or the form body.
    api_key = request.GET.get("api_key", "")
    if not api_key and request.content_type in ("multipart/form-data",
                                                "application/x-www-form-urlencoded"):
        api_key = request.POST.get("api_key", "")
    if api_key:
        principal += ":key:" + api_key
    return hashlib.sha256(principal.encode()).hexdigest()


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.path.encode())
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Form bodies: hash the fields (multipart boundaries are random, and the raw
        # body can no longer be read once the form has been parsed).
        for name in sorted(request.POST):
            if name not in (FORM_FIELD, "csrfmiddlewaretoken"):
                digest.update(f"{name}={request.POST.getlist(name)}".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(name.encode())
                digest.update(str(upload.size).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def wait_seconds() -> float:
    """How long a duplicate waits for the first request before it gets 409."""
    return float(settings.SHANGQUAN.get("IDEMPOTENCY_WAIT_SECONDS", 10))


def lease_seconds() -> float:
    """How long a claim outlives a request that stopped making progress."""
    return float(settings.SHANGQUAN.get("IDEMPOTENCY_LEASE_SECONDS", 30))


def _lease() -> None:
    """PostgreSQL: the claiming transaction ends if it idles past the lease.

    Only when the request's transaction is the outermost one: wrapped in another (a test
    case's transaction), the setting would outlive the request and end that one."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The claim's lock wait ends here too (see _lock_wait): one statement for both.
        if len(connection.atomic_blocks) > 1:
            cursor.execute("SELECT set_config('lock_timeout', '0', true)")
            return
        cursor.execute("SELECT set_config('lock_timeout', '0', true), "
                       "set_config('idle_in_transaction_session_timeout', %s, true)",
                       [f"{max(1, int(lease_seconds() * 1000))}ms"])


class InProgress(Exception):
    """Another request holds the same key and has not finished within the wait."""


def claim(*, scope: str, key: str, request: HttpRequest,
          fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """Insert the pending record inside the caller's transaction. (record, is_new).

    Must run inside ``transaction.atomic()``: the record is only visible to others once
    the answer is stored and the transaction commits. A duplicate's INSERT waits on the
    first transaction (PostgreSQL: the unique index; SQLite: the write lock).
    """
    assert connection.in_atomic_block, "claim() runs inside the request's transaction"
    for _attempt in range(2):
        try:
            with transaction.atomic(), _lock_wait(wait_seconds()):
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, method=request.method or "POST",
                    path=request.path[:300], request_hash=fingerprint)
            _lease()
            return record, True
        except IntegrityError:
            pass
        except OperationalError as exc:
            if _is_lock_timeout(exc):
                raise InProgress from exc
            raise
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:  # the first request rolled back meanwhile: try again
            continue
        if record.status_code is None:
            # Committed without an answer: only an older version left such a row, and
            # its request is gone. Reclaim it; this request executes afresh.
            record.delete()
            continue
        return record, False
    raise InProgress


@contextlib.contextmanager
def _lock_wait(seconds: float) -> Iterator[None]:
    """PostgreSQL: wait at most ``seconds`` for a concurrent holder of the same key."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)",
                       [f"{int(seconds * 1000)}ms"])
    yield  # reset by the claim's _lease(), in the statement that starts the lease


def _is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


# --- answers that must not be replayed --------------------------------------------------
_secrets: ContextVar[list[str] | None] = ContextVar("idempotency_secrets", default=None)


def secret_in_answer(what: str = "token") -> None:
    """The answer being built carries a secret (a bearer token): never store it."""
    box = _secrets.get()
    if box is not None:
        box.append(what)


@contextlib.contextmanager
def watching_secrets() -> Iterator[list[str]]:
    box: list[str] = []
    reset = _secrets.set(box)
    try:
        yield box
    finally:
        _secrets.reset(reset)


def replayable(response: HttpResponse, *, secrets: list[str]) -> bool:
    """Only a complete, non-secret, non-failed answer is stored for retries."""
    return not (response.status_code >= 500 or getattr(response, "streaming", False)
                or secrets or "no-store" in response.get("Cache-Control", ""))


def store(record: IdempotencyRecord, response: HttpResponse, *, secrets: list[str]) -> None:
    """In the request's transaction: keep the answer, or release the key.

    A server error rolls the whole request back (its write too), so the retry executes
    afresh; a secret or streamed answer commits the write but keeps no answer.
    """
    if response.status_code >= 500:
        transaction.set_rollback(True)
        return
    if not replayable(response, secrets=secrets):
        record.delete()
        return
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.body = bytes(response.content)
    record.location = response.get("Location", "")[:500]
    record.save(update_fields=["status_code", "content_type", "body", "location"])


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body or b""), status=record.status_code,
                            content_type=record.content_type or None)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def expired_cutoff() -> Any:
    """Stored answers older than this are past their TTL (``services.idempotency_purge``)."""
    return timezone.now() - timedelta(hours=settings.SHANGQUAN["IDEMPOTENCY_TTL_HOURS"])
