"""Parsing request input for the pages (thin: the services validate)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shangquan.core.errors import ValidationFailed
from shangquan.core.models import District
from shangquan.merchants.models import Grid, Merchant


def merchant_by_token(district: District, token: str | None) -> Merchant | None:
    if not token:
        return None
    return Merchant.objects.filter(district=district, public_token=str(token)[:16]).first()


def grid_by_id(district: District, raw: Any) -> Grid | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return Grid.objects.filter(district=district, pk=pk).first()


def parse_deadline(raw: str) -> dt.datetime | None:
    """``2026-11-30T18:00`` from a datetime-local input, read as local time."""
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise ValidationFailed(code="invalid_deadline")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_date(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
