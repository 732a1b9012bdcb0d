"""公益 credit for merchants' ratings (``Contributions.rating_evidence``).

The ratings app sits above this one and may not import it; it reads these rows through
the extension point. A shop earns credit when its people (the owner account or its staff)
volunteer: each confirmed attendance of a 志愿服务 event, one point per full hour (at least
one, at most five per event); and each 公益服务台账 entry of a team its owner captains,
one point. Every row names its source, so the merchant's page links to it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone

from shangquan.core.models import District
from shangquan.merchants.models import Merchant, MerchantStaff

from .models import EventKind, Registration, ServiceLog

MAX_PER_EVENT = 5


def _shops_of(district: District, user_ids: set[int]) -> dict[int, set[int]]:
    """user id -> the ids of the shops they act for (owner account or staff), two queries."""
    shops: dict[int, set[int]] = defaultdict(set)
    if not user_ids:
        return shops
    for owner_id, pk in (Merchant.objects.filter(district=district, owner_id__in=user_ids,
                                                 status=Merchant.Status.OPEN)
                         .values_list("owner_id", "pk")):
        shops[owner_id].add(pk)
    for user_id, pk in (MerchantStaff.objects.filter(district=district, user_id__in=user_ids,
                                                     merchant__status=Merchant.Status.OPEN)
                        .values_list("user_id", "merchant_id")):
        shops[user_id].add(pk)
    return shops


def evidence(*, district: District, start: dt.date, end: dt.date) -> Iterator[dict[str, Any]]:
    """The credit rows for days ``start ≤ day < end`` (local time)."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    attended = list(Registration.objects.filter(
        district=district, status=Registration.Status.ATTENDED, confirmed_at__isnull=False,
        event__kind=EventKind.VOLUNTEER, event__starts_at__gte=since, event__starts_at__lt=until)
        .values_list("pk", "user_id", "minutes", "event_id", "event__title", "event__starts_at")
        .order_by("pk"))
    logs = list(ServiceLog.objects.filter(district=district, served_on__gte=start,
                                          served_on__lt=end)
                .values_list("pk", "team__captain_id", "team_id", "kind", "served_on")
                .order_by("pk"))
    shops = _shops_of(district, {row[1] for row in attended} | {row[1] for row in logs})
    kinds = dict(ServiceLog.Kind.choices)
    for pk, user_id, minutes, event_id, title, starts_at in attended:
        hours = (minutes or 0) // 60
        url = reverse("activities:event", kwargs={"code": district.code, "pk": event_id})
        for merchant_id in sorted(shops.get(user_id, ())):
            yield {"merchant_id": merchant_id, "kind": "volunteer",
                   "points": max(1, min(MAX_PER_EVENT, hours)),
                   "source_type": "activities.registration", "source_id": pk,
                   "label": f"志愿服务：{title}（{hours} 小时）", "url": url,
                   "date": timezone.localtime(starts_at).date()}
    for pk, captain_id, team_id, kind, served_on in logs:
        for merchant_id in sorted(shops.get(captain_id, ())):
            yield {"merchant_id": merchant_id, "kind": "public_service", "points": 1,
                   "source_type": "activities.servicelog", "source_id": pk,
                   "label": f"公益服务台账：{kinds.get(kind, kind)}",
                   "url": reverse("activities:team", kwargs={"code": district.code,
                                                             "pk": team_id}),
                   "date": served_on}
