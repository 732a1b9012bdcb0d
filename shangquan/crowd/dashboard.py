"""Console home cards: live occupancy and open crowd alerts (two cheap queries)."""

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Alert, Zone


def cards(user, district) -> list[dict]:
    if not policies.can(user, "crowd.view", district):
        return []
    zones = Zone.objects.filter(district=district, is_active=True)
    if not zones.exists():
        return []
    occupancy = zones.filter(parent__isnull=True).exclude(kind=Zone.Kind.WAITING)\
        .aggregate(n=Sum("occupancy"))["n"] or 0
    open_alerts = Alert.objects.filter(district=district, acknowledged_at__isnull=True).count()
    url = reverse("crowd:board", kwargs={"code": district.code})
    return [
        {"label": _("在场游客"), "value": occupancy, "url": url, "tone": "ok"},
        {"label": _("待确认客流预警"), "value": open_alerts,
         "url": reverse("crowd:alerts", kwargs={"code": district.code}),
         "tone": "danger" if open_alerts else "ok"},
    ]
