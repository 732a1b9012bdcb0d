"""我也遇到 (“me too”): a resident adds their voice to an open public report and follows
it, instead of filing a duplicate. One per verified phone per report (a database
constraint), audited, district-scoped. Its reads are in ``metoo_reads``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from shangquan.core.models import District

from .models import OPEN_STATUSES, MeToo, WorkOrder


def _phone_key(phone: str) -> str:
    """A keyed hash of the normalised phone: the constraint is per phone, the table holds
    no number (as ratings' resident scores)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:workorders.metoo:{phone}".encode()).hexdigest()


def _verified_phone(actor: Any) -> str:
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(_("请先用手机号验证登录"))
    profile = getattr(actor, "profile", None)
    phone = getattr(profile, "phone", None)
    if not phone or getattr(profile, "phone_verified_at", None) is None:
        raise PermissionDenied(_("请先用手机号验证登录"), code="phone_required")
    return phone


@audited("workorders.metoo.add")
@transaction.atomic
def metoo_add(*, actor: Any, district: District, order: WorkOrder) -> MeToo:
    """Add the signed-in resident (a verified phone) to an open report of this district.

    Refused: another district's order (404, as not found), an ended order, the reporter's
    own order, a second 我也遇到 from the same phone (the constraint)."""
    if order.district_id != district.pk:
        raise NotFound()
    phone = _verified_phone(actor)
    locked = WorkOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if locked.status not in OPEN_STATUSES:
        raise Conflict(_("这个问题已办结或不再受理，不能再加入"), code="order_not_open")
    if locked.reporter_id == actor.pk:
        raise Conflict(_("这是您自己反映的问题"), code="own_report")
    try:
        with transaction.atomic():
            row = MeToo.objects.create(district=district, order=locked, user=actor,
                                       phone_key=_phone_key(phone))
    except IntegrityError:
        raise Conflict(_("您已经加入过这个问题"), code="already_joined") from None
    # No phone, no username in the audit row: the resident is "居民".
    audit_record(actor=actor, district=district, obj=row, action="workorders.metoo.add",
                 actor_label="resident", after={"order": locked.number})
    return row


@audited("workorders.metoo.erase")
def metoo_erase(*, actor: Any, user: Any, phone: str) -> int:
    """``Contributions.person_erased``: the person's 我也遇到 rows keep counting but lose
    their link to the person (no account, no phone hash)."""
    rows = MeToo.objects.filter(user=user) if user is not None else MeToo.objects.none()
    if phone:
        rows = rows | MeToo.objects.filter(phone_key=_phone_key(phone))
    touched = 0
    for district_id in rows.order_by().values_list("district_id", flat=True).distinct():
        mine = list(rows.filter(district_id=district_id).values_list("pk", flat=True))
        for pk in mine:
            MeToo.objects.filter(pk=pk).update(user=None, phone_key=f"erased:{pk}")
        touched += len(mine)
        audit_record(actor=actor, district=District.objects.get(pk=district_id),
                     action="workorders.metoo.erase", object_type="workorders.metoo",
                     object_id="*", after={"rows": len(mine)})
    return touched
