"""Console home cards contributed by apps (``<app>/dashboard.py`` exposing ``cards(user, district)``)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .extensions import collect

# The console home is the most opened staff page; its counts may be this many seconds old.
CARDS_TTL_SECONDS = 30


def cards_for(user, district, *, fresh: bool = False) -> list[dict]:
    key = f"dash:{district.pk}:{user.pk}:{get_language()}"
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    cards: list[dict] = []
    for provider in collect("dashboard", "cards"):
        cards.extend({k: (str(v) if k == "label" else v) for k, v in card.items()}
                     for card in provider(user, district))
    cache.set(key, cards, CARDS_TTL_SECONDS)
    return cards


def cards(user, district) -> list[dict]:
    """The core's own cards: people and departments."""
    from .models import Department, Membership

    return [
        {"label": _("成员"), "value": Membership.objects.filter(district=district,
                                                            is_active=True).count()},
        {"label": _("职能部门"), "value": Department.objects.filter(district=district,
                                                              is_active=True).count()},
    ]
