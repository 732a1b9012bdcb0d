"""Console home cards: today's bookings and the licences handled this month."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Amenity, Booking


def cards(user, district) -> list[dict]:
    if not policies.can(user, "stations.view", district):
        return []
    now = timezone.localtime()
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = Booking.objects.filter(district=district, slot__starts_at__gte=month).aggregate(
        today=Count("id", filter=Q(slot__starts_at__gte=day,
                                   slot__starts_at__lt=day + timezone.timedelta(days=1))
                    & ~Q(status__in=["cancelled"])),
        done=Count("id", filter=Q(status="done")))
    faults = Amenity.objects.filter(district=district).exclude(status="ok").count()
    return [
        {"label": _("今日预约"), "value": counts["today"],
         "url": reverse("stations:desk", kwargs={"code": district.code}), "tone": "ok"},
        {"label": _("本月窗口办结"), "value": counts["done"],
         "url": reverse("stations:desk", kwargs={"code": district.code}), "tone": "ok"},
        {"label": _("故障便民设施"), "value": faults,
         "url": reverse("stations:console", kwargs={"code": district.code}),
         "tone": "danger" if faults else "ok"},
    ]
