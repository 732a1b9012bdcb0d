"""Console home cards: each app contributes ``dashboard_cards`` (``cards(user, district)``)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import policies
from .extensions import collect
from .models import Department, Membership
from .roles import Role

# The console home is the most opened staff page; its counts may be this many seconds old.
CARDS_TTL_SECONDS = 30


def cards_for(user, district, *, fresh: bool = False) -> list[dict]:
    key = f"dash:{district.pk}:{user.pk}:{get_language()}"
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    cards: list[dict] = []
    wide = sees_district_wide(user, district)
    for provider in collect("dashboard_cards"):
        cards.extend({k: (str(v) if k == "label" else v) for k, v in card.items()}
                     for card in provider(user, district) if wide or card.get("mine"))
    cache.set(key, cards, CARDS_TTL_SECONDS)
    return cards


# Roles whose home shows district-wide counters. Everyone else (grid leaders,
# departments, merchants, volunteers) sees only the cards about their own work, which the
# apps mark ``"mine": True`` (my 十邻铺, my orders, my rectifications, today's checks).
DISTRICT_WIDE_ROLES = (Role.COMMITTEE, Role.STREET, Role.ASSOCIATION, Role.COMMUNITY)


def sees_district_wide(user, district) -> bool:
    return policies.is_city_admin(user) or policies.has_role(user, district,
                                                             *DISTRICT_WIDE_ROLES)


def cards(user, district) -> list[dict]:
    """The core's own cards: people and departments."""
    return [
        {"label": _("成员"), "value": Membership.objects.filter(district=district,
                                                            is_active=True).count()},
        {"label": _("职能部门"), "value": Department.objects.filter(district=district,
                                                              is_active=True).count()},
    ]
