"""PIPL art. 47 (``Contributions.person_erased``): a person's signatures in inspections.

An inspection of a shop the person owns or works at (or that they inspected), signed in
their name, keeps its
record but loses the signed name (replaced by a mark that it was erased) and the
signature image. One audit row per district touched, with the count."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shangquan.core.audit import audit_record, audited
from shangquan.core.models import District

from .models import Inspection


def _names(user: Any) -> set[str]:
    profile = getattr(user, "profile", None)
    names = {getattr(profile, "display_name", "") or "", user.get_full_name() or "",
             user.first_name or "", f"{user.last_name}{user.first_name}"}
    return {n.strip() for n in names if n and n.strip()}


@audited("inspections.signature.erase")
@transaction.atomic
def signatures_erase(*, actor: Any, user: Any, phone: str) -> int:
    names = _names(user)
    if not names:
        return 0
    # Theirs to sign: the shop's owner or staff (or its phone), or one of the inspectors.
    theirs = (Q(merchant__owner=user) | Q(merchant__staff__user=user) | Q(inspectors=user)
              | Q(created_by=user))
    if phone:
        theirs |= Q(merchant__phone=phone)
    signed = Inspection.objects.filter(theirs, signed_name__in=names).distinct()
    touched = 0
    for district_id in sorted(set(signed.values_list("district_id", flat=True))):
        rows = list(signed.filter(district_id=district_id))
        for inspection in rows:
            if inspection.signature:
                inspection.signature.delete(save=False)
        count = Inspection.objects.filter(pk__in=[r.pk for r in rows]).update(
            signed_name=_("（已注销）"), signature="")
        touched += count
        audit_record(actor=actor, district=District.objects.get(pk=district_id),
                     action="inspections.signature.erase",
                     object_type="inspections.inspection", object_id="*",
                     after={"inspections": count})
    return touched
