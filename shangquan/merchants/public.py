"""What the public merchant page shows: built once, cached briefly (crowded nights)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language

from shangquan.core.errors import NotFound
from shangquan.core.extensions import collect
from shangquan.core.pagecache import PageCache
from shangquan.core.selectors import public_token_district_id

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
    for provider in collect("merchant_sections"):
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


# Entries carry the merchant's ``updated_at`` (see :func:`merchant_stamp`), so an edit or a
# status change (停业整改) shows at once in the worker that made it and within
# ``STAMP_SECONDS`` in the others; grid, roster and module sections within FRAGMENT_SECONDS.
FRAGMENTS = PageCache(seconds=FRAGMENT_SECONDS)
# Whole pages for anonymous visitors (``core.pagecache.shared_page``).
PAGES = PageCache(seconds=FRAGMENT_SECONDS)


def fragment_forget(token: str) -> None:
    """Called after a merchant changes (this process; others see the new updated_at)."""
    _stamps.pop(token, None)
    FRAGMENTS.forget(token)
    PAGES.forget(token)


STAMP_SECONDS = 3.0
_stamps: dict[str, tuple[float, float]] = {}


def merchant_stamp(token: str) -> float:
    """The merchant's last change; NotFound when there is none.

    Asked of the database at most every few seconds per worker, so a change made in
    another worker shows within ``STAMP_SECONDS`` and a crowd costs almost no queries.
    """
    token = str(token)[:16]
    now = time.monotonic()
    known = _stamps.get(token)
    if known is not None and known[0] > now:
        return known[1]
    district_id = public_token_district_id(model=Merchant, token=token)
    stamp = (Merchant.objects.filter(district_id=district_id, public_token=token,
                                     district__is_active=True)
             .values_list("updated_at", flat=True).first())
    if stamp is None:
        raise NotFound()
    if len(_stamps) > 20000:  # bounded: forget everything rather than grow
        _stamps.clear()
    _stamps[token] = (now + STAMP_SECONDS, stamp.timestamp())
    return stamp.timestamp()


def cache_key(token: str) -> tuple[str, str, str]:
    return (str(token), get_language() or "zh-hans", timezone.localdate().isoformat())


def page_fragment(request: Any, token: str, stamp: float | None = None) -> dict[str, str]:
    """{"title", "html"} of the page body: cached, else built (NotFound if no such merchant)."""
    day = timezone.localdate()
    stamp = merchant_stamp(token) if stamp is None else stamp
    key = cache_key(token)
    cached = FRAGMENTS.get(key, stamp)
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
    FRAGMENTS.put(key, merchant.updated_at.timestamp(), value)
    return value
