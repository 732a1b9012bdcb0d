"""Idempotency-Key: the first answer to a creating POST is stored and replayed.

Works for every POST (API, Open311, web forms): the key comes from the
``Idempotency-Key`` header or, for HTML forms, a hidden ``idempotency_key`` field.
The scope is the caller (token, session user, or anonymous) so keys never collide
across people. A concurrent duplicate waits for the first request to finish.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
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


def claim(*, scope: str, key: str, request: HttpRequest) -> tuple[IdempotencyRecord, bool]:
    """Insert the pending record, or return the existing one. (record, is_new)."""
    fingerprint = request_fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                scope=scope, key=key, method=request.method or "POST", path=request.path[:300],
                request_hash=fingerprint)
        return record, True
    except IntegrityError:
        pass
    # Someone got there first: wait (briefly) for their answer.
    deadline = time.monotonic() + 15
    while True:
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
        if record.status_code is not None or time.monotonic() > deadline:
            return record, False
        time.sleep(0.05)


def store(record: IdempotencyRecord, response: HttpResponse) -> None:
    if response.status_code >= 500 or getattr(response, "streaming", False):
        record.delete()  # let the retry run again
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


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.SHANGQUAN["IDEMPOTENCY_TTL_HOURS"])
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
