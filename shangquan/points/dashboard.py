"""Console home cards: points in circulation and reservations waiting for pickup."""

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import HOLDER_KINDS, Account, Redemption


def cards(user, district) -> list[dict]:
    if not policies.can(user, "points.view", district):
        return []
    held = Account.objects.filter(district=district, kind__in=HOLDER_KINDS)\
        .aggregate(n=Sum("balance"))["n"] or 0
    waiting = Redemption.objects.filter(district=district,
                                        status=Redemption.Status.RESERVED).count()
    return [
        {"label": _("流通积分"), "value": held,
         "url": reverse("points:ledger", kwargs={"code": district.code}), "tone": "ok"},
        {"label": _("待核销兑换"), "value": waiting,
         "url": reverse("points:fulfil", kwargs={"code": district.code}), "tone": "ok"},
    ]
