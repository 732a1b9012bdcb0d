"""Write the append-only audit trail. Every service that changes state calls this."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models.fields.files import FieldFile

from .actors import is_system
from .masking import scrub, text_mask
from .models import AuditLog, AuditSealedActor, District

logger = logging.getLogger("shangquan.audit")


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


def person_fields(model: Any) -> frozenset[str]:
    """Fields of ``model`` that hold a private person's name, beyond the usual keys
    (``core.masking.PERSON_NAME_KEYS``): a model declares them as ``AUDIT_PERSON_FIELDS``
    (e.g. ``("name",)`` on a party member)."""
    return frozenset(getattr(model, "AUDIT_PERSON_FIELDS", ()))


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready (FKs as ids), with
    personal fields masked: phones ``138****1234``, names of private persons ``张*``."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _jsonable(getattr(instance, field.attname))
    return scrub(data, person_keys=person_fields(instance))


# name -> label shown in the audit log ("派单"). Names are ``<app>.<entity>.<verb>``.
ACTIONS: dict[str, Any] = {}
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class UnknownAuditAction(LookupError):
    pass


class AuditMissing(AssertionError):
    """A service changed state without writing one of its declared audit actions."""


def register_actions(actions: dict[str, Any]) -> None:
    """Register an app's audit action names with their human labels."""
    for name, label in actions.items():
        if not ACTION_NAME.match(name):
            raise ValueError(f"Audit action {name!r} must be named <app>.<entity>.<verb>")
        ACTIONS[name] = label


def action_label(name: str) -> str:
    label = ACTIONS.get(name)
    return str(label) if label is not None else name


def _actor_fields(actor: Any) -> tuple[Any, str]:
    if actor is None:
        raise TypeError("audit_record needs an actor: a user, AnonymousUser or core.actors.SYSTEM")
    if is_system(actor):
        return None, actor.get_username()
    if getattr(actor, "is_authenticated", False):
        return actor, actor.get_username()
    return None, "anonymous"


ANONYMOUS_LABEL = "anonymous"


def _object_repr(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    if person_fields(obj):  # a private person: the row names them by reference only
        return f"{obj._meta.verbose_name} #{obj.pk}"
    return text_mask(str(obj))


def audit_record(*, actor: Any, district: District | None, obj: models.Model | None = None,
                 action: str, before: dict | None = None, after: dict | None = None,
                 object_type: str | None = None, object_id: Any = None,
                 actor_label: str = "", anonymous: bool = False) -> AuditLog:
    """Append one row. Personal data never lands in it in clear: phones are masked and
    names of private persons shortened, wherever they appear (``core.masking.scrub``).

    ``anonymous=True`` (an anonymous report filed by a signed-in resident): the row names
    no actor; who it was is sealed apart (``AuditSealedActor``) for a city admin who states
    a reason (``core.services.audit_actor_reveal``)."""
    if action not in ACTIONS:
        raise UnknownAuditAction(
            f"Audit action {action!r} is not registered; add it to the app's policies.py")
    user, label = _actor_fields(actor)
    label = actor_label or label
    sealed = user if anonymous else None
    if anonymous:
        user, label = None, ANONYMOUS_LABEL
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    person_keys = person_fields(obj) if obj is not None else frozenset()
    row = AuditLog.objects.create(
        district=district,
        actor=user,
        actor_label=text_mask(label)[:120],
        object_type=object_type or "",
        object_id=text_mask(str(object_id if object_id is not None else "")),
        object_repr=_object_repr(obj)[:200],
        action=action,
        before=scrub(_jsonable(before), person_keys=person_keys) if before is not None else None,
        after=scrub(_jsonable(after), person_keys=person_keys) if after is not None else None,
    )
    if sealed is not None:
        AuditSealedActor.objects.create(audit=row, user=sealed)
    for frame in _frames():
        frame.actions.add(action)
    return row


# --- every service declares the audit actions it writes -------------------------------
#
# ``@audited("workorders.order.dispatch")`` on a service: if the call wrote to any domain
# table and recorded none of its declared actions, it raises AuditMissing (settings
# ``SHANGQUAN_AUDIT_STRICT``, on in tests and DEBUG) or logs an error. So a service that
# forgets its audit row fails the test that exercises it.

# Tables whose writes are bookkeeping, not state changes of their own.
NOT_STATE = ("core_auditlog", "core_auditsealedactor", "core_idempotencyrecord",
             "django_session", "django_tasks_db", "core_notification", "core_periodicjobrun", "core_heartbeat",
             # the database cache without Redis (settings.CACHES): rate-limit counters and
             # cached memberships are written by reads and permission checks too
             "shangquan_cache")
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.I)

_local = threading.local()


@dataclass
class _Frame:
    name: str
    declared: frozenset[str]
    actions: set[str] = dataclass_field(default_factory=set)
    writes: set[str] = dataclass_field(default_factory=set)


def _frames() -> list[_Frame]:
    frames = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


def _watch(execute, sql, params, many, context):
    # Counted once it succeeded: an INSERT refused by a constraint (the race a service
    # catches as IntegrityError, e.g. a plan built by a concurrent request) changed nothing.
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql)
    if match:
        table = match.group(2).lower()
        if not table.startswith(NOT_STATE):
            for frame in _frames():
                frame.writes.add(table)
    return result


def audited(*actions: str) -> Callable:
    """Declare the audit actions a service writes. ``"*"`` accepts any registered action
    (for services whose action is computed, e.g. one per transition)."""
    declared = frozenset(actions)

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            frame = _Frame(name=f"{func.__module__}.{func.__qualname__}", declared=declared)
            frames = _frames()
            frames.append(frame)
            try:
                if len(frames) == 1:
                    with connection.execute_wrapper(_watch):
                        result = func(*args, **kwargs)
                else:
                    result = func(*args, **kwargs)
            finally:
                frames.pop()
            _check(frame)
            return result

        wrapper.audit_actions = declared  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _check(frame: _Frame) -> None:
    if not frame.writes:
        return
    if "*" in frame.declared and frame.actions:
        return
    if frame.actions & frame.declared:
        return
    message = (f"{frame.name} wrote {sorted(frame.writes)} but recorded none of "
               f"{sorted(frame.declared)} (recorded: {sorted(frame.actions)})")
    if getattr(settings, "SHANGQUAN_AUDIT_STRICT", settings.DEBUG):
        raise AuditMissing(message)
    logger.error(message)
