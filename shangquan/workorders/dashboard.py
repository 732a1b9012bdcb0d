"""Console home cards: what is waiting for this person (cheap indexed counts)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.roles import Role
from shangquan.merchants.models import Grid

from .models import OPEN_STATUSES, Escalation, Status, WorkOrder


def cards(user, district) -> list[dict]:
    board = reverse("workorders:board", kwargs={"code": district.code})
    out: list[dict] = []
    if policies.has_role(user, district, Role.COMMITTEE, Role.STREET):
        waiting = WorkOrder.objects.filter(district=district, status__in=[
            Status.SUBMITTED, Status.REOPENED]).count()
        out.append({"label": _("待派单"), "value": waiting, "url": board,
                    "tone": "warn" if waiting else "ok"})
        open_esc = Escalation.objects.filter(district=district, handled_at__isnull=True).count()
        out.append({"label": _("待处理吹哨"), "value": open_esc,
                    "url": reverse("workorders:escalations", kwargs={"code": district.code}),
                    "tone": "danger" if open_esc else "ok"})
    elif policies.has_role(user, district, Role.DEPARTMENT):
        mine = WorkOrder.objects.filter(
            district=district, department_id__in=policies.departments_of(user, district),
            status__in=[Status.DISPATCHED, Status.ACCEPTED])
        overdue = mine.filter(resolution_due_at__lt=timezone.now()).count()
        out.append({"label": _("我的待办工单"), "value": mine.count(), "url": board,
                    "tone": "danger" if overdue else "ok", "mine": True})
    if policies.has_role(user, district, Role.GRID_LEADER):
        grids = list(Grid.objects.filter(district=district, leader_id=user.pk)
                     .values_list("pk", flat=True))
        if grids:
            open_here = WorkOrder.objects.filter(district=district, grid_id__in=grids,
                                                 status__in=OPEN_STATUSES).count()
            out.append({"label": _("我的十邻铺待办问题"), "value": open_here, "url": board,
                        "tone": "warn" if open_here else "ok", "mine": True})
    return out
