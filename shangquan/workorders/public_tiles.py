"""The work-order entries of the public district home (``Contributions.public_tiles``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, MeToo, Status, WorkOrder


def tiles(district: Any, user: Any) -> list[dict]:
    code = district.code
    out = [
        {"order": 10, "title": _("随手拍 · 我要反映"), "url": reverse("workorders:report", args=[code]),
         "text": _("拍照、标出位置，问题直达承办部门")},
        {"order": 20, "title": _("大家反映的问题"),
         "url": reverse("workorders:public_reports", args=[code]),
         "text": _("看看附近已有的反映和部门的答复")},
        {"order": 30, "title": _("查询办理进度"), "url": reverse("workorders:track_lookup", args=[code]),
         "text": _("输入工单号查看进度")},
    ]
    if getattr(user, "is_authenticated", False):
        out.append(_mine(district, user))
        followed = _followed(district, user)
        if followed:
            out.append(followed)
    return out


def _mine(district: Any, user: Any) -> dict:
    """我的反映 for the resident's home: how many are still open, the latest three."""
    code = district.code
    orders = WorkOrder.objects.filter(district=district, reporter=user)
    to_rate = orders.filter(status=Status.RESOLVED).count()
    latest = list(orders.select_related("category").order_by("-created_at", "-id")[:3])
    return {"order": 35, "title": _("我的反映"), "url": reverse("workorders:mine", args=[code]),
            "text": (_("%(n)s 件待评价") % {"n": to_rate}) if to_rate
            else _("我提交和关注的问题、待评价的工单"),
            "mine": True, "value": orders.filter(status__in=OPEN_STATUSES).count(),
            "tone": "warn" if to_rate else "",
            "entries": [{"label": f"{o.number} · {o.category.name}",
                       "meta": o.get_status_display(),
                       "url": reverse("workorders:track", args=[code, o.number])}
                      for o in latest]}


def _followed(district: Any, user: Any) -> dict | None:
    """The open reports this person joined with 我也遇到."""
    code = district.code
    rows = list(MeToo.objects.filter(district=district, user=user,
                                     order__status__in=OPEN_STATUSES)
                .select_related("order", "order__category").order_by("-created_at")[:5])
    if not rows:
        return None
    return {"order": 36, "title": _("我也遇到的问题"),
            "url": reverse("workorders:track", args=[code, rows[0].order.number]),
            "text": _("您加入的问题，办理进度会通知您"), "mine": True, "value": len(rows),
            "entries": [{"label": f"{r.order.number} · {r.order.category.name}",
                       "meta": r.order.get_status_display(),
                       "url": reverse("workorders:track", args=[code, r.order.number])}
                      for r in rows]}
