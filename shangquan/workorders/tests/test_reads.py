"""Reads never write: categories are seeded when a district is created, not when listed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shangquan.core.tests.factories import department_factory, district_factory
from shangquan.workorders import selectors, services
from shangquan.workorders.catalog import SEED_CATEGORIES
from shangquan.workorders.models import Category

pytestmark = pytest.mark.django_db


def test_a_new_district_starts_with_the_article_categories():
    district = district_factory()
    codes = set(Category.objects.filter(district=district).values_list("code", flat=True))
    assert codes == {row[0] for row in SEED_CATEGORIES}


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries
            if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_listing_categories_writes_nothing():
    district = district_factory()
    Category.objects.filter(district=district).delete()  # a committee that removed them all
    with CaptureQueriesContext(connection) as queries:
        assert list(selectors.category_list(district=district, active_only=False)) == []
    assert _writes(queries) == []
    assert not Category.objects.filter(district=district).exists()


def test_seeding_links_a_department_created_after_the_district():
    district = district_factory()
    assert Category.objects.get(district=district, code="metrology").department is None
    department_factory(district)  # 市场监管
    assert services.categories_ensure(district=district) == 0
    assert Category.objects.get(district=district, code="metrology").department.code == "scjg"


def test_reading_settings_writes_nothing():
    district = district_factory()
    with CaptureQueriesContext(connection) as queries:
        selectors.settings_get(district=district)
    assert _writes(queries) == []
