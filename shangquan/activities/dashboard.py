"""Console home cards: this month's events and confirmed volunteer hours."""

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Event, Registration


def cards(user, district) -> list[dict]:
    if not policies.can(user, "activities.view", district):
        return []
    start = timezone.localdate().replace(day=1)
    events = Event.objects.filter(district=district, starts_at__date__gte=start).count()
    minutes = Registration.objects.filter(district=district, confirmed_at__date__gte=start)\
        .aggregate(m=Sum("minutes"))["m"] or 0
    url = reverse("activities:events", kwargs={"code": district.code})
    return [{"label": _("本月活动"), "value": events, "url": url, "tone": "ok"},
            {"label": _("本月志愿时长（小时）"), "value": round(minutes / 60, 1), "url": url,
             "tone": "ok"}]
