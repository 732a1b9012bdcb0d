"""The one way this app tells people: a line in tomorrow's digest by default."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from shangquan.core import services as core_services
from shangquan.core.models import District

from ..models import DigestItem


def _notify(*, district: District, users: Iterable[Any], title: str, link: str = "",
           immediate: bool = False) -> None:
    """Tell people, without overload: a line in tomorrow's digest, unless ``immediate``
    (one's own item changed, a meeting one registered for changed)."""
    people = {u.pk: u for u in users if u is not None and getattr(u, "pk", None)}
    if not people:
        return
    if immediate:
        def send() -> None:
            for user in people.values():
                core_services.notification_send(district=district, user=user,
                                                title=title[:120], link=link)
        transaction.on_commit(send)
        return
    DigestItem.objects.bulk_create([DigestItem(district=district, user=u, title=title[:120],
                                               link=link) for u in people.values()])
