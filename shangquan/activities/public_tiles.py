"""The activities entries of the public district home and the resident's home
(``Contributions.public_tiles``): upcoming events; my sign-ups once signed in."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Registration
from .selectors import my_registrations


def tiles(district: Any, user: Any) -> list[dict]:
    code = district.code
    out = [{"order": 45, "title": _("志愿活动"),
            "url": reverse("activities:events_public", args=[code]),
            "text": _("附近的志愿服务和主题活动，在线报名")}]
    if getattr(user, "is_authenticated", False):
        coming = list(my_registrations(user=user, district=district).filter(
            status__in=[Registration.Status.REGISTERED, Registration.Status.WAITLISTED],
            event__ends_at__gte=timezone.now()).order_by("event__starts_at")[:3])
        out.append({"order": 38, "title": _("我报名的活动"),
                    "url": reverse("activities:events_public", args=[code]),
                    "text": _("即将开始的活动和候补"), "mine": True, "value": len(coming),
                    "entries": [{"label": r.event.title,
                               "meta": timezone.localtime(r.event.starts_at).strftime("%m-%d %H:%M"),
                               "url": reverse("activities:event", args=[code, r.event_id])}
                              for r in coming]})
    return out
