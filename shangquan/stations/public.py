"""The public station map, shared by a crowd: built once per district, language and filter
and kept briefly in each worker (``core.pagecache``).

What the map shows comes from stations, their amenities and today's special hours. Any
saved or deleted row of those (services, admin, demo, device readings) moves the district's
*map version* in the shared cache, so the worker that made the change shows it at once and
the others within ``VERSION_SECONDS``; "open now" follows the clock within ``MAP_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.db import transaction

from shangquan.core.pagecache import PageCache
from shangquan.core.selectors import district_get_public

log = logging.getLogger(__name__)

MAP_SECONDS = 30
VERSION_SECONDS = 3.0
MAPS = PageCache(seconds=MAP_SECONDS)
VERSIONS = PageCache(seconds=VERSION_SECONDS, size=10000)
DISTRICT_IDS = PageCache(seconds=VERSION_SECONDS, size=10000)  # code → id of an active one


def district_id_of(code: str) -> int:
    """The active district's id (NotFound otherwise), remembered for a few seconds: a
    shared page costs no query at all."""
    code = str(code).upper()[:32]
    known = DISTRICT_IDS.get((code,), None)
    if known is None:
        known = district_get_public(code=code).pk
        DISTRICT_IDS.put((code,), None, known)
    return known


def _key(district_id: int) -> str:
    return f"stations:map-version:{district_id}"


def map_version(district_id: int) -> int | None:
    """The district's map version, asked of the shared cache at most every few seconds;
    None when the cache cannot answer (then nobody shares a page)."""
    known = VERSIONS.get((district_id,), None)
    if known is not None:
        return known
    try:
        version = cache.get(_key(district_id), 0)
    except Exception:  # a cache server that is down must not take the map down
        log.warning("station map version unavailable", exc_info=True)
        return None
    VERSIONS.put((district_id,), None, version)
    return version


def map_changed(district_id: int) -> None:
    """Now, and again once the change commits: a page built in between holds old rows."""
    def bump() -> None:
        VERSIONS.forget(district_id)
        MAPS.forget(district_id)
        try:
            cache.set(_key(district_id), time.time_ns(), None)
        except Exception:
            log.warning("station map version not moved", exc_info=True)

    bump()
    transaction.on_commit(bump)


def on_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a Station, Amenity or HoursException."""
    map_changed(instance.district_id)


def on_district_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A district renamed, moved or closed: its map is rebuilt (or answers 404)."""
    DISTRICT_IDS.forget(str(instance.code).upper())
    map_changed(instance.pk)
