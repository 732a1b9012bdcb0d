"""PIPL art. 47: erasing a person blanks their signatures on inspections (the inspection
and its findings stay), through ``Contributions.person_erased``."""

from __future__ import annotations

import pytest

from shangquan.core import services as core_services
from shangquan.core.models import AuditLog, Profile
from shangquan.core.roles import Role
from shangquan.inspections import services
from shangquan.inspections.models import Inspection

from .test_inspections import gas, plan, shop, signature_png, tick_all  # noqa: F401

pytestmark = pytest.mark.django_db


def _complete(north, gas, shop, signer: str) -> Inspection:  # noqa: F811
    inspection = plan(north, gas, shop)
    tick_all(north, inspection)
    return services.inspection_complete(actor=north.people[Role.DEPARTMENT],
                                        district=north.district, inspection=inspection,
                                        signed_name=signer, signature_png=signature_png())


def test_erasing_the_owner_blanks_their_signature_and_keeps_the_inspection(
        north, gas, shop, city_admin):  # noqa: F811
    owner = north.people[Role.MERCHANT]
    Profile.objects.filter(user=owner).update(display_name="王老板")
    owner.refresh_from_db()
    theirs = _complete(north, gas, shop, "王老板")
    other = _complete(north, gas, shop, "李店员")  # someone else signed this one
    storage, image = theirs.signature.storage, theirs.signature.name
    assert storage.exists(image)
    core_services.resident_erase(actor=city_admin, user=owner, reason="本人申请删除个人信息")
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.signed_name == "（已注销）" and not theirs.signature
    assert not storage.exists(image)  # the image file is gone too
    assert theirs.status == "completed" and theirs.result == "passed"
    assert other.signed_name == "李店员" and other.signature
    row = AuditLog.objects.get(action="inspections.signature.erase", district=north.district)
    assert row.after == {"inspections": 1}
    assert "王老板" not in str(list(AuditLog.objects.values_list("after", "object_repr")))
