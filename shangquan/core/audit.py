"""Write the append-only audit trail. Every service that changes state calls this."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from .models import AuditLog, District


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready (FKs as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _jsonable(getattr(instance, field.attname))
    return data


def audit_record(*, actor: Any, district: District | None, obj: models.Model | None = None,
                 action: str, before: dict | None = None, after: dict | None = None,
                 object_type: str | None = None, object_id: Any = None,
                 actor_label: str = "") -> AuditLog:
    user = actor if getattr(actor, "is_authenticated", False) else None
    # No actor at all means the system itself (commands, timers); an anonymous web
    # visitor is recorded as such.
    label = actor_label or (user.get_username() if user
                            else "system" if actor is None else "anonymous")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    return AuditLog.objects.create(
        district=district,
        actor=user,
        actor_label=label[:120],
        object_type=object_type or "",
        object_id=str(object_id if object_id is not None else ""),
        object_repr=str(obj)[:200] if obj is not None else "",
        action=action,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
