"""Console home cards: merchants, party-member shops, shops without a grid."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.roles import Role

from .models import Grid, Merchant


def my_grid_cards(user, district) -> list[dict]:
    """A grid leader's own 十邻铺: one card per grid they lead, with its shops."""
    url = reverse("merchants:list", kwargs={"code": district.code})
    grids = (Grid.objects.filter(district=district, leader_id=user.pk)
             .annotate(n=Count("merchants", filter=~Q(merchants__status="deregistered")))
             .order_by("name"))
    return [{"label": _("我的十邻铺：%(g)s") % {"g": g.name}, "value": g.n,
             "url": f"{url}?grid={g.pk}", "tone": "", "mine": True} for g in grids]


def cards(user, district) -> list[dict]:
    if not policies.can(user, "merchant.view", district):
        return []
    mine = my_grid_cards(user, district) if policies.has_role(
        user, district, Role.GRID_LEADER) else []
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
    return mine + out
