"""Console home cards: merchants, party-member shops, shops without a grid."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies

from .models import Grid, Merchant


def cards(user, district) -> list[dict]:
    if not policies.can(user, district, "merchant.view"):
        return []
    code = district.code
    counts = Merchant.objects.filter(district=district).aggregate(
        open=Count("id", filter=Q(status="open")),
        party=Count("id", filter=Q(is_party_member=True)),
        loose=Count("id", filter=Q(grid__isnull=True) & ~Q(status="deregistered")))
    url = reverse("merchants:list", kwargs={"code": code})
    out = [
        {"label": _("营业商户"), "value": counts["open"], "url": url, "tone": ""},
        {"label": _("党员商户"), "value": counts["party"], "url": url, "tone": "ok"},
        {"label": _("十邻铺网格"), "value": Grid.objects.filter(district=district).count(),
         "url": reverse("merchants:grids", kwargs={"code": code}), "tone": ""},
    ]
    if counts["loose"]:
        out.append({"label": _("未分网格商户"), "value": counts["loose"],
                    "url": f"{url}?grid=none", "tone": "warn"})
    return out
