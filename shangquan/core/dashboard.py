"""Console home cards contributed by apps (``<app>/dashboard.py`` exposing ``cards(user, district)``)."""

from __future__ import annotations

from .extensions import collect


def cards_for(user, district) -> list[dict]:
    cards: list[dict] = []
    for provider in collect("dashboard", "cards"):
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
