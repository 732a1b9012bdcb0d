"""Extension points: apps contribute to shared screens without editing shared files.

``collect("dashboard", "cards")`` returns the ``cards`` attribute of every
``shangquan.<app>.dashboard`` module that exists, in INSTALLED_APPS order. Used for:

- ``nav.NAV``                         console menu items (core.navigation.NavItem)
- ``dashboard.cards(user, district)`` console home cards
- ``merchant_sections.sections(merchant)`` sections on the public merchant page
- ``policies`` modules are imported at start-up so the policy registry is complete
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps


def app_modules(module_name: str) -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shangquan."):
            continue
        dotted = f"{config.name}.{module_name}"
        try:
            modules.append(import_module(dotted))
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
    return modules


def collect(module_name: str, attribute: str) -> list[Any]:
    return [getattr(m, attribute) for m in app_modules(module_name) if hasattr(m, attribute)]
