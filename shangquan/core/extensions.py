"""Extension points: each app declares what it adds to the platform in its ``apps.py``.

An app's ``AppConfig`` carries ``contributes = Contributions(...)``; nothing outside the
app names it except its one ``INSTALLED_APPS`` line. The project's API, URLs, schedule,
console menu, console home cards, merchant-page sections and demo loaders are all
assembled here, in ``INSTALLED_APPS`` order, so an earlier app never imports a later
one: the later app contributes and the earlier one reads the registry.

References are dotted strings (``"module:attribute"`` or ``"module"``), resolved when
first needed, so declaring a contribution never imports anything at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Contributions:
    """Everything an app adds to shared parts of the platform. All fields optional."""

    # django-ninja Router mounted at /api/v1/districts/{code}/ (member-only).
    api: str = ""
    # Router mounted at /api/v1/public/ (anonymous callers: QR pages, public reports).
    public_api: str = ""
    # Module with ``urlpatterns``, included at the site root (pages set their own
    # /console/<code>/… and /d/<code>/… prefixes).
    urls: str = ""
    # Further URL modules mounted under a fixed prefix, e.g. ("open311/v2/", module).
    mounted_urls: tuple[tuple[str, str], ...] = ()
    # Periodic jobs: (dotted path of a django-tasks ``@task``, interval in seconds).
    jobs: tuple[tuple[str, int], ...] = ()
    # ``list[NavItem]`` for the console menu.
    nav: str = ""
    # Module imported at start-up; it registers its role table, object rules and
    # audit actions with core.
    policies: str = ""
    # ``cards(user, district) -> list[dict]`` for the console home.
    dashboard_cards: str = ""
    # ``sections(merchant) -> list[dict]`` for the public merchant page.
    merchant_sections: str = ""
    # ``tiles(district, user) -> list[dict]`` for the public district home /d/<code>/:
    # {"order", "title", "text", "url"} (随手拍, 公平秤, stations …).
    public_tiles: str = ""
    # Module with ``load(ctx: DemoContext)`` for ``shangquan demo``.
    demo: str = ""
    # ``core.district_settings.SettingsGroup``: the app's per-district settings, declared
    # as data (key, type, default, bounds, label); values live in core.DistrictSetting.
    district_settings: str = ""
    # ``checks() -> list[health_check.HealthCheck]`` added to /healthz (called per request).
    health_checks: str = ""
    # Hooks run after a district is created: ``fn(*, actor, district) -> None``
    # (seed an app's per-district defaults, e.g. work-order categories).
    district_created: tuple[str, ...] = ()
    # Hooks run when a person is erased (PIPL art. 47): ``fn(*, actor, user, phone) -> None``
    # blanks the app's copies of their personal data (names, phones) before the account
    # goes; ``phone`` is their verified phone or "".
    person_erased: tuple[str, ...] = ()
    # ``Sequence[core.indicators.Indicator]``: the app's named KPIs (definition, unit,
    # direction, finest period, scope, ``measure(district, start, end)``), read by the
    # dashboard app for its values, comparisons, big screen and reports.
    indicators: str = ""
    # Evidence for merchants' ratings from apps below ratings' reach (公益 activities,
    # volunteering): ``fn(*, district, start: date, end: date) -> Iterable[dict]`` with
    # {"merchant_id", "kind", "points" (> 0 credit, < 0 deduction), "source_type",
    # "source_id", "label", "url", "date"} for the days start ≤ day < end; read by
    # ``ratings.selectors.period_evidence`` as adjustments linked to their source.
    rating_evidence: tuple[str, ...] = ()


POINTS = tuple(f.name for f in fields(Contributions))


def load(reference: str) -> Any:
    """``"pkg.module:attr"`` → the attribute; ``"pkg.module"`` → the module."""
    module_name, _, attribute = reference.partition(":")
    module = import_module(module_name)
    return getattr(module, attribute) if attribute else module


def contributing_apps() -> Iterator[tuple[AppConfig, Contributions]]:
    for config in apps.get_app_configs():
        contributes = getattr(config, "contributes", None)
        if contributes is None:
            continue
        if not isinstance(contributes, Contributions):
            raise ImproperlyConfigured(
                f"{config.name}.apps: 'contributes' must be a core.extensions.Contributions")
        yield config, contributes


def _declared(contributes: Contributions) -> Iterator[tuple[str, str]]:
    """(point, reference) for every reference an app declares."""
    for point in POINTS:
        value = getattr(contributes, point)
        if point == "jobs":
            for path, _interval in value:
                module_name, _, attribute = path.rpartition(".")
                yield point, f"{module_name}:{attribute}"
        elif point == "mounted_urls":
            for _prefix, module_name in value:
                yield point, module_name
        elif isinstance(value, str):
            if value:
                yield point, value
        else:
            for reference in value:
                yield point, reference


def references(point: str) -> list[str]:
    """The references every app declares for one extension point."""
    if point not in POINTS:
        raise KeyError(f"Unknown extension point {point!r}; declared points: {POINTS}")
    return [ref for _config, contributes in contributing_apps()
            for declared_point, ref in _declared(contributes) if declared_point == point]


@cache
def collect(point: str) -> tuple[Any, ...]:
    """The loaded objects every app contributes to ``point``, in INSTALLED_APPS order."""
    return tuple(load(ref) for ref in references(point))


def periodic_jobs() -> list[tuple[str, int]]:
    jobs: list[tuple[str, int]] = []
    for _config, contributes in contributing_apps():
        jobs.extend(contributes.jobs)
    return jobs


def mounted_urls() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for _config, contributes in contributing_apps():
        out.extend(contributes.mounted_urls)
    return out


def check_contributions() -> list[str]:
    """Every declared reference resolves (run by a system check at start-up)."""
    problems = []
    for config, contributes in contributing_apps():
        for point, ref in _declared(contributes):
            try:
                load(ref)
            except (ImportError, AttributeError) as exc:
                problems.append(f"{config.name}: {point} {ref!r}: {exc}")
    return problems
