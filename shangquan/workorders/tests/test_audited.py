"""Writes that used to leave no audit row: seeding a district's categories."""

from __future__ import annotations

import pytest

from shangquan.core.actors import SYSTEM
from shangquan.core.models import AuditLog
from shangquan.core.services import district_create
from shangquan.workorders import services
from shangquan.workorders.catalog import SEED_CATEGORIES

pytestmark = pytest.mark.django_db


def test_seeding_a_districts_categories_is_audited_once():
    district = district_create(actor=SYSTEM, code="EAST", name="东区商圈")  # seeds them
    rows = AuditLog.objects.filter(action="workorders.category.seed", district=district)
    assert rows.count() == 1
    assert len(rows.get().after["created"]) == len(SEED_CATEGORIES)
    assert services.categories_ensure(district=district) == 0
    assert rows.count() == 1  # nothing seeded, nothing audited
