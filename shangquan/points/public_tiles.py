"""The points entries of the public district home and the resident's home
(``Contributions.public_tiles``): the 积分超市 for everyone; my points once signed in."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import account_mine


def tiles(district: Any, user: Any) -> list[dict]:
    code = district.code
    out = [{"order": 60, "title": _("积分超市"), "url": reverse("points:shop", args=[code]),
            "text": _("用志愿服务和随手拍攒下的积分兑换礼品")}]
    if getattr(user, "is_authenticated", False):
        account = account_mine(user=user, district=district)
        out.append({"order": 37, "title": _("我的积分"), "url": reverse("points:me", args=[code]),
                    "text": _("余额、明细和即将过期的积分"), "mine": True,
                    "value": account.balance if account is not None else 0})
    return out
