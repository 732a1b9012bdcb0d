"""The stations' entries of the public district home (``Contributions.public_tiles``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def tiles(district: Any, user: Any) -> list[dict]:
    code = district.code
    out = [
        {"order": 40, "title": _("服务站点地图"), "url": reverse("stations:map", args=[code]),
         "text": _("党群服务站、驿站、骑手停车和充电，饮水、充电、急救就在身边")},
        {"order": 41, "title": _("游客服务"), "url": reverse("stations:visitors", args=[code]),
         "text": _("入口排队情况、开放中的站点、停车位、儿童等候区")},
        {"order": 42, "title": _("预约办事"), "url": reverse("stations:services", args=[code]),
         "text": _("证照快办日、城管码上办、专家咨询，在线预约时段")},
    ]
    if getattr(user, "is_authenticated", False):
        out.append({"order": 43, "title": _("我的预约"),
                    "url": reverse("stations:mine", args=[code]),
                    "text": _("查看确认码、取消预约")})
    return out
