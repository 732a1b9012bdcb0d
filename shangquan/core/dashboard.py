"""Console home cards contributed by apps (``<app>/dashboard.py`` exposing ``cards(user, district)``)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps


def cards_for(user, district) -> list[dict]:
    cards: list[dict] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shangquan."):
            continue
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dashboard":
                raise
            continue
        provider = getattr(module, "cards", None)
        if provider is not None and provider is not cards_for:
            cards.extend(provider(user, district))
    return cards


def cards(user, district) -> list[dict]:
    """The core's own cards: people and departments."""
    from .models import Department, Membership

    return [
        {"label": "成员", "value": Membership.objects.filter(district=district,
                                                            is_active=True).count()},
        {"label": "职能部门", "value": Department.objects.filter(district=district,
                                                              is_active=True).count()},
    ]
