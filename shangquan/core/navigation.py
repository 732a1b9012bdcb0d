"""The console navigation, built from each app's ``nav`` contribution.

An app lists ``NAV = [NavItem(...), ...]`` and names it in its ``apps.py``
(``Contributions(nav="shangquan.<app>.nav:NAV")``); the console shows the items whose roles
the user holds in the current district. Apps never edit a shared menu file.

The menu depends only on the district's code, the user's roles there, the language and
the script prefix, none of which a request changes, so each combination's items and its
rendered ``<nav>`` are built once per process (``menu_html``); a page only marks its own
entry. Reversing ~90 URL names and rendering ~90 links per request cost as much as the
rest of a typical console page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import policies
from .extensions import collect
from .roles import Role


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


def _key(user, district) -> tuple:
    roles = frozenset(policies.roles_of(user, district))
    return (district.code, roles, policies.is_city_admin(user), get_language() or "",
            get_script_prefix())


@lru_cache(maxsize=2048)
def _menu(code: str, roles: frozenset[str], admin: bool, _language: str,
          _prefix: str) -> tuple[tuple[str, str, str], ...]:
    """(label, url, group) of each item shown, labels in the active language."""
    out = []
    for item in all_items():
        if item.roles and not admin and not (roles & item.roles):
            continue
        try:
            url = reverse(item.url_name, kwargs={"code": code})
        except NoReverseMatch:
            continue
        out.append((str(item.label), url, str(item.group)))
    return tuple(out)


def items_for(user, district) -> list[dict]:
    return [{"label": label, "url": url, "group": group}
            for label, url, group in _menu(*_key(user, district))]


@lru_cache(maxsize=2048)
def _menu_html(code: str, roles: frozenset[str], admin: bool, language: str,
               prefix: str) -> str:
    items = _menu(code, roles, admin, language, prefix)
    groups: list[tuple[str, list[dict]]] = []
    for label, url, group in items:
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append({"label": label, "url": url})
    role_labels = [str(Role(r).label) for r in sorted(roles) if r in Role.values]
    return render_to_string("core/_console_nav.html", {"groups": groups,
                                                       "current_roles": role_labels})


def menu_html(user, district, current_path: str) -> SafeString:
    """The console's ``<nav>``, the entry of ``current_path`` marked as the current page."""
    html = _menu_html(*_key(user, district))
    href = f'href="{escape(current_path)}"'
    return mark_safe(html.replace(href, href + ' aria-current="page"', 1))
