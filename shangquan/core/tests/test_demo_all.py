"""The whole demo, every district and every app, exactly as `make run` loads it: a loader
that only works for the district its test uses breaks a fresh machine."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from shangquan.core.demo import DISTRICTS
from shangquan.core.models import AuditLog, District

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_DISTRICT_HAS = ("merchants.Merchant", "workorders.WorkOrder", "inspections.Inspection",
                      "scales.Instrument", "ratings.Scheme", "points.Item")
SOME_DISTRICT_HAS = ("crowd.Zone", "stations.Station", "ratings.Result", "activities.Team",
                     "activities.ServiceLog", "deliberation.Council", "deliberation.Ballot")


def test_the_full_demo_loads_every_district_and_loads_once():
    out = io.StringIO()
    call_command("demo", stdout=out)
    districts = list(District.objects.order_by("code"))
    assert sorted(d.code for d in districts) == sorted(spec.code for spec in DISTRICTS)
    for label in EVERY_DISTRICT_HAS:
        model = apps.get_model(label)
        empty = [d.code for d in districts if not model.objects.filter(district=d).exists()]
        assert not empty, f"{label} has no demo rows in {empty}"
    for label in SOME_DISTRICT_HAS:
        assert apps.get_model(label).objects.exists(), f"{label} has no demo rows"
    audit_rows = AuditLog.objects.count()
    call_command("demo", if_empty=True, stdout=out)
    assert AuditLog.objects.count() == audit_rows
    assert "nothing to do" in out.getvalue()
