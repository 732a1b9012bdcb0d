"""The console navigation, built from each app's ``nav`` contribution.

An app lists ``NAV = [NavItem(...), ...]`` and names it in its ``apps.py``
(``Contributions(nav="shangquan.<app>.nav:NAV")``); the console shows the items whose roles
the user holds in the current district. Apps never edit a shared menu file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.urls import NoReverseMatch, reverse

from . import policies
from .extensions import collect


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with kwargs {"code": district.code}
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every member
    order: int = 100
    group: str = ""


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for nav in collect("nav"):
        items.extend(nav)
    return tuple(sorted(items, key=lambda i: (i.order, i.label)))


def items_for(user, district) -> list[dict]:
    roles = policies.roles_of(user, district)
    admin = policies.is_city_admin(user)
    out = []
    for item in all_items():
        if item.roles and not admin and not (roles & item.roles):
            continue
        try:
            url = reverse(item.url_name, kwargs={"code": district.code})
        except NoReverseMatch:
            continue
        out.append({"label": item.label, "url": url, "group": item.group})
    return out
