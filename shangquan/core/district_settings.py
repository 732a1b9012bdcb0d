"""Per-district settings: declared by each app as data, stored in one table, one way.

An app declares a :class:`SettingsGroup` (each :class:`Setting` with its type, default,
bounds and Chinese label) in its ``settings_schema.py`` and names it in its
``Contributions(district_settings="shangquan.<app>.settings_schema:SETTINGS")``.
Values live in ``core.DistrictSetting`` rows (district, ``<app>.<name>``, JSON value);
a missing row means the declared default, so a new district needs no seeding.

- read: :func:`district_settings` (one app's values, attribute access) or
  :func:`district_setting` (one ``<app>.<name>`` key). All of a district's rows are read
  in one query and kept on that ``District`` instance for the rest of the request.
- write: :func:`district_settings_update`: validates against the declaration, checks the
  group's manage permission, writes the rows and one audit row (the group's action).
- pages: :func:`settings_form` and :func:`settings_form_post` back the one generic form
  (``core/_district_settings_form.html``); the API is ``/districts/{code}/settings/{app}``.

Deployment-wide knobs (SMS sender, OTP limits, photo limits, MQTT URL) are not
per-district: they stay in ``settings.SHANGQUAN``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import policies
from .audit import audit_record, audited
from .errors import NotFound, ValidationFailed
from .extensions import collect
from .models import District, DistrictSetting

KINDS = (int, bool, Decimal)
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}
_CACHE = "_shangquan_district_settings"


@dataclass(frozen=True)
class Setting:
    """One knob: ``name`` is unique within its app; ``kind`` is int, bool or Decimal."""

    name: str
    kind: type
    default: Any
    label: Any
    help: Any = ""
    min: Any = None
    max: Any = None
    decimal_places: int = 3  # Decimal only

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TypeError(f"setting {self.name!r}: kind must be one of {KINDS}")
        if self.kind is Decimal:  # defaults compare and show like stored values: "0.100"
            object.__setattr__(self, "default", Decimal(str(self.default)).quantize(
                Decimal(1).scaleb(-self.decimal_places)))

    @property
    def kind_name(self) -> str:
        return {int: "int", bool: "bool", Decimal: "decimal"}[self.kind]

    def parse(self, raw: Any) -> Any:
        """A form string or JSON value → the typed value; ValidationFailed with a code."""
        value = self._coerce(raw)
        if self.kind is not bool:
            if self.min is not None and value < self.min or (
                    self.max is not None and value > self.max):
                raise ValidationFailed(self._range_message(), code="setting_out_of_range",
                                       details={"field": self.name, "min": _json(self.min),
                                                "max": _json(self.max)})
        return value

    def _coerce(self, raw: Any) -> Any:
        invalid = ValidationFailed(
            _g("%(label)s：%(kind)s格式不正确") % {"label": self.label, "kind": self._kind_label()},
            code="setting_invalid", details={"field": self.name})
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            raise invalid
        if isinstance(raw, bool) or raw is None:
            raise invalid
        if self.kind is int:
            if isinstance(raw, int):
                return raw
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            if isinstance(raw, str) and _INT.match(raw):
                return int(raw)
            raise invalid
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise invalid from None
        if not value.is_finite():
            raise invalid
        step = Decimal(1).scaleb(-self.decimal_places)
        if value != value.quantize(step):
            raise ValidationFailed(
                _g("%(label)s最多 %(n)s 位小数") % {"label": self.label, "n": self.decimal_places},
                code="setting_invalid", details={"field": self.name})
        return value.quantize(step)

    def _kind_label(self) -> str:
        return {int: _g("整数"), bool: _g("是/否"), Decimal: _g("数字")}[self.kind]

    def _range_message(self) -> str:
        if self.min is not None and self.max is not None:
            return _g("%(label)s须在 %(min)s 到 %(max)s 之间") % {
                "label": self.label, "min": self.min, "max": self.max}
        if self.min is not None:
            return _g("%(label)s不能小于 %(min)s") % {"label": self.label, "min": self.min}
        return _g("%(label)s不能大于 %(max)s") % {"label": self.label, "max": self.max}

    def load(self, stored: Any) -> Any:
        """A stored JSON value → the typed value (the default if it no longer parses).
        Bounds are not re-applied: a value stored before a bound was tightened stays."""
        try:
            return self._coerce(stored)
        except ValidationFailed:
            return self.default


@dataclass(frozen=True)
class SettingsGroup:
    """One app's settings: who may change them, the audit action, cross-field rules."""

    app: str
    label: Any
    manage: str  # policy action that may change them
    view: str  # policy action that may read them through the API and pages
    audit_action: str
    settings: tuple[Setting, ...]
    # (values) -> None, raising ValidationFailed: rules between settings (weights not all 0).
    check: Callable[[Values], None] | None = None

    def __post_init__(self) -> None:
        names = [s.name for s in self.settings]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.app}: duplicate setting names")

    def get(self, name: str) -> Setting:
        for setting in self.settings:
            if setting.name == name:
                return setting
        raise KeyError(name)

    def key(self, name: str) -> str:
        return f"{self.app}.{name}"

    @property
    def defaults(self) -> Values:
        return Values(self, {s.name: s.default for s in self.settings}, stored=frozenset())


class Values(Mapping):
    """One app's effective values: ``conf.rating_window_days`` or ``conf["…"]``."""

    def __init__(self, group: SettingsGroup, values: dict[str, Any],
                 stored: frozenset[str]) -> None:
        self._group = group
        self._values = values
        self._stored = stored

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def is_default(self, name: str) -> bool:
        return name not in self._stored

    def as_json(self) -> dict[str, Any]:
        return {name: _json(value) for name, value in self._values.items()}

    def __repr__(self) -> str:
        return f"<Values {self._group.app} {self._values!r}>"


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- the registry -----------------------------------------------------------------------
def groups() -> dict[str, SettingsGroup]:
    """app label → its declared group, in INSTALLED_APPS order."""
    return {group.app: group for group in collect("district_settings")}


def group_for(app: str) -> SettingsGroup:
    found = groups().get(app)
    if found is None:
        raise NotFound(_("没有这组设置"), code="unknown_settings_group")
    return found


# --- reads ------------------------------------------------------------------------------
def _stored(district: District) -> dict[str, Any]:
    """Every stored row of the district, one query, kept on the instance (per request)."""
    cached = district.__dict__.get(_CACHE)
    if cached is None:
        cached = dict(DistrictSetting.objects.filter(district=district)
                      .values_list("key", "value"))
        district.__dict__[_CACHE] = cached
    return cached


def forget(district: District) -> None:
    district.__dict__.pop(_CACHE, None)


def district_settings(*, district: District, app: str) -> Values:
    """One app's values for the district: stored ones, the declared defaults for the rest."""
    group = group_for(app)
    stored = _stored(district)
    values, present = {}, set()
    for setting in group.settings:
        key = group.key(setting.name)
        if key in stored:
            values[setting.name] = setting.load(stored[key])
            present.add(setting.name)
        else:
            values[setting.name] = setting.default
    return Values(group, values, frozenset(present))


def district_setting(*, district: District, key: str) -> Any:
    """One value by its full key, ``"workorders.rating_window_days"``."""
    app, _dot, name = key.partition(".")
    values = district_settings(district=district, app=app)
    if name not in values:
        raise KeyError(f"Setting {key!r} is not declared by {app!r}")
    return values[name]


def settings_read(*, user: Any, district: District, app: str) -> Values:
    """What the API and pages show: the group's view permission, then the values."""
    group = group_for(app)
    policies.require(user, group.view, district)
    return district_settings(district=district, app=app)


# --- the one write ----------------------------------------------------------------------
@audited("*")
@transaction.atomic
def district_settings_update(*, actor: Any, district: District, app: str,
                             values: Mapping[str, Any]) -> Values:
    """Change some of one app's settings. Unknown names are refused, never dropped;
    setting a value equal to the default stores it (an explicit choice)."""
    group = group_for(app)
    policies.require(actor, group.manage, district)
    errors: dict[str, ValidationFailed] = {}
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        try:
            parsed[name] = group.get(name).parse(raw)
        except KeyError:
            errors[name] = ValidationFailed(_g("未知设置项：%(name)s") % {"name": name},
                                            code="unknown_setting", details={"field": name})
        except ValidationFailed as exc:
            errors[name] = exc
    if errors:
        first = next(iter(errors.values()))
        first.details = {**first.details, "errors": {
            name: {"code": exc.code, "message": str(exc.message)}
            for name, exc in errors.items()}}
        raise first
    # Lock the district's rows of this group so two editors do not interleave.
    rows = {row.key: row for row in DistrictSetting.objects.select_for_update(of=("self",)).filter(
        district=district, key__in=[group.key(s.name) for s in group.settings]).order_by("pk")}
    forget(district)
    current = district_settings(district=district, app=app)
    after_values = {**dict(current), **parsed}
    if group.check is not None:
        group.check(Values(group, after_values, frozenset()))
    changed = {name: value for name, value in parsed.items()
               if current.is_default(name) or current[name] != value}
    for name, value in changed.items():
        key = group.key(name)
        row = rows.get(key)
        if row is None:
            DistrictSetting.objects.create(district=district, key=key, value=_json(value))
        elif row.value != _json(value):
            row.value = _json(value)
            row.save(update_fields=["value", "updated_at"])
    forget(district)
    result = district_settings(district=district, app=app)
    if changed:
        audit_record(actor=actor, district=district, action=group.audit_action,
                     object_type="core.districtsetting", object_id=app,
                     before={n: _json(current[n]) for n in changed},
                     after={n: _json(result[n]) for n in changed})
    return result


# --- the one form -----------------------------------------------------------------------
def settings_form(*, user: Any, district: District, app: str,
                  posted: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What ``core/_district_settings_form.html`` renders, from the declaration."""
    group = group_for(app)
    values = district_settings(district=district, app=app)
    fields = []
    for s in group.settings:
        value = values[s.name]
        if posted is not None and s.name in posted and s.kind is not bool:
            value = posted[s.name]
        fields.append({
            "name": s.name, "kind": s.kind_name, "label": s.label, "help": s.help,
            "value": value, "default": s.default, "min": s.min, "max": s.max,
            "step": str(Decimal(1).scaleb(-s.decimal_places)) if s.kind is Decimal else "1",
            "is_default": values.is_default(s.name)})
    return {"app": app, "label": group.label, "fields": fields,
            "can_manage": policies.can(user, group.manage, district)}


def settings_form_post(*, actor: Any, district: District, app: str,
                       data: Mapping[str, Any]) -> Values:
    """The generic form's POST: every declared field (an unticked box is ``False``)."""
    group = group_for(app)
    values: dict[str, Any] = {}
    for s in group.settings:
        if s.kind is bool:
            values[s.name] = data.get(s.name, "") not in ("", None)
        elif (data.get(s.name) or "").strip() != "":
            values[s.name] = data.get(s.name)
    return district_settings_update(actor=actor, district=district, app=app, values=values)
