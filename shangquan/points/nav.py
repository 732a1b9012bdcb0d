from django.utils.translation import gettext_lazy as _

from shangquan.core.navigation import NavItem

from .policies import FULFIL, STAFF

GROUP = _("积分超市")

NAV = [
    NavItem(_("积分账目"), "points:ledger", frozenset(STAFF), order=70, group=GROUP),
    NavItem(_("兑换商品与库存"), "points:items", frozenset(STAFF), order=71, group=GROUP),
    NavItem(_("兑换核销"), "points:fulfil", frozenset(FULFIL), order=72, group=GROUP),
    NavItem(_("积分调整复核"), "points:adjustments", frozenset(STAFF), order=73, group=GROUP),
]
