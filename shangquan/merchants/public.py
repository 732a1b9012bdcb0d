"""What the public merchant page shows: built once, cached briefly (crowded nights)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language

from shangquan.core.extensions import collect

from .models import Merchant
from .selectors import merchant_get_public, steward_today

log = logging.getLogger(__name__)

# Short enough that a status change or a new roster shows within a minute.
FRAGMENT_SECONDS = 45


def report_url(merchant: Merchant) -> str:
    """The 我要反映 link; empty while the work-order module is absent."""
    try:
        url = reverse("workorders:report", kwargs={"code": merchant.district.code})
    except NoReverseMatch:
        return ""
    return f"{url}?merchant={merchant.public_token}"


def extra_sections(merchant: Merchant) -> list[dict[str, Any]]:
    """Sections from later modules (inspections, scales …), sorted by ``order``."""
    sections: list[dict[str, Any]] = []
    for provider in collect("merchant_sections", "sections"):
        try:
            sections.extend(provider(merchant) or [])
        except Exception:  # one module's failure must not take the QR page down
            log.exception("merchant section provider %r failed", provider)
    return sorted(sections, key=lambda s: s.get("order", 100))


def _rendered_sections(merchant: Merchant, request: Any) -> list[dict[str, Any]]:
    out = []
    for section in extra_sections(merchant):
        try:
            html = render_to_string(section["template"],
                                    {**section.get("context", {}), "merchant": merchant},
                                    request=request)
        except Exception:
            log.exception("merchant section %r failed to render", section.get("title"))
            continue
        out.append({"title": section.get("title", ""), "html": html})
    return out


def _key(token: str, language: str, day: str) -> str:
    return f"merchants:public:{token}:{language}:{day}"


def fragment_forget(token: str) -> None:
    """Called after a merchant changes, so its page shows the change at once."""
    day = timezone.localdate().isoformat()
    cache.delete_many([_key(token, code, day) for code, _name in settings.LANGUAGES])


def page_fragment(request: Any, token: str) -> dict[str, str]:
    """{"title", "html"} of the page body: from the cache, else built (NotFound if none).

    A hit costs no query for the merchant, its grid, roster or sections.
    """
    day = timezone.localdate()
    key = _key(token, get_language() or "zh-hans", day.isoformat())
    cached = cache.get(key)
    if cached is not None:
        return cached
    merchant = merchant_get_public(token=token)
    steward = steward_today(district=merchant.district, grid=merchant.grid, day=day)
    html = render_to_string("merchants/_public_body.html", {
        "merchant": merchant,
        "district": merchant.district,
        "photos": list(merchant.photos.all()[:9]),
        "steward": steward.merchant if steward else None,
        "sections": _rendered_sections(merchant, request),
        "report_url": report_url(merchant),
        "today": day,
    }, request=None)
    value = {"title": merchant.name, "html": html, "district": merchant.district.name}
    cache.set(key, value, FRAGMENT_SECONDS)
    return value
