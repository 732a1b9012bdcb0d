"""Audit rows as sentences in the reader's language.

``{{ row.action|audit_label }}``: the registered human name of an audit action.
``{% audit_object row as obj %}``: the object's readable name ("ImportJob object (1)"
becomes "导入任务 #1"). ``{% audit_changes row as changes %}``: one line per changed field,
with the field's own label and choice names ("电话：138****1234 → 139****5678"). What a
row contains (and which personal data it keeps) is the audit writer's business; this
only reads it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from shangquan.core.audit import action_label

register = template.Library()

_DEFAULT_REPR = re.compile(r"^\w+ object \((?P<pk>[^)]*)\)$")
_MAX = 80


@register.filter
def audit_label(action: str) -> str:
    return action_label(action)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@register.simple_tag
def audit_object(row: Any) -> str:
    model = _model(row.object_type)
    kind = str(model._meta.verbose_name) if model is not None else row.object_type
    name = row.object_repr or ""
    if not name or _DEFAULT_REPR.match(name):
        return f"{kind} #{row.object_id}" if row.object_id not in ("", "*") else kind
    return _("%(kind)s「%(name)s」") % {"kind": kind, "name": name}


@register.simple_tag
def audit_link(row: Any, code: str) -> str:
    """The console page of the row's object, when its model names one (``AUDIT_URL =
    (url name, pk keyword)``, reversed with the district ``code``) and the row is about
    one object; else "". A deleted object's page answers 404, like any other."""
    model = _model(row.object_type)
    spec = getattr(model, "AUDIT_URL", None)
    if not spec or not code or not str(row.object_id).isdigit():
        return ""
    name, keyword = spec
    try:
        return reverse(name, kwargs={"code": code, keyword: int(row.object_id)})
    except NoReverseMatch:
        return ""


def _show(value: Any, field: Any = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", "："))
    text = str(value)
    return text if len(text) <= _MAX else text[:_MAX - 1] + "…"


def _label(model: Any, key: str) -> tuple[str, Any]:
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        if field is not None:
            return str(getattr(field, "verbose_name", key)), field
    return key, None


@register.simple_tag
def audit_changes(row: Any) -> list[dict[str, str]]:
    """Changed fields (before ≠ after); a creation lists what it set; a deletion what it had."""
    before = row.before if isinstance(row.before, dict) else {}
    after = row.after if isinstance(row.after, dict) else {}
    model = _model(row.object_type)
    out = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label, field = _label(model, key)
        out.append({"field": label, "before": _show(old, field) if key in before else "",
                    "after": _show(new, field) if key in after else ""})
    return out
