"""PIPL art. 47 (``Contributions.person_erased``): a person's copies in merchants.

A shop they own (by account) or whose contact phone is theirs keeps its record but loses
the contact's name and phone; a grid contact with their phone becomes an unnamed entry
without the phone; a grid they lead loses the leader's name. One audit row per district
touched, with the counts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shangquan.core.audit import audit_record, audited
from shangquan.core.models import District

from .models import Grid, GridContact, Merchant


@audited("merchants.person.erase")
@transaction.atomic
def person_erase(*, actor: Any, user: Any, phone: str) -> int:
    shops = Merchant.objects.filter(Q(owner=user) | Q(phone=phone) if phone else Q(owner=user))
    contacts = GridContact.objects.filter(phone=phone) if phone else GridContact.objects.none()
    grids = Grid.objects.filter(leader=user).exclude(leader_name="")
    districts = (set(shops.values_list("district_id", flat=True))
                 | set(contacts.values_list("district_id", flat=True))
                 | set(grids.values_list("district_id", flat=True)))
    touched = 0
    for district_id in sorted(districts):
        counts = {
            "merchants": Merchant.objects.filter(pk__in=list(shops.filter(
                district_id=district_id).values_list("pk", flat=True))).update(
                contact_name="", phone=""),
            "grid_contacts": GridContact.objects.filter(pk__in=list(contacts.filter(
                district_id=district_id).values_list("pk", flat=True))).update(
                name=_("（已注销）"), phone=""),
            "grids": Grid.objects.filter(pk__in=list(grids.filter(
                district_id=district_id).values_list("pk", flat=True))).update(leader_name=""),
        }
        touched += sum(counts.values())
        audit_record(actor=actor, district=District.objects.get(pk=district_id),
                     action="merchants.person.erase", object_type="merchants.merchant",
                     object_id="*", after=counts)
    return touched
