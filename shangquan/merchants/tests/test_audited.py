"""Writes that used to leave no audit row: a queued import that fails."""

from __future__ import annotations

import pytest

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants.importing import import_job_run
from shangquan.merchants.jobs import import_job_create
from shangquan.merchants.models import ImportJob

pytestmark = pytest.mark.django_db


def test_a_queued_import_that_fails_is_audited(north):
    job = import_job_create(actor=north.people[Role.COMMITTEE], district=north.district,
                            filename="名录.csv", data="备注\n无关\n".encode())
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    row = AuditLog.objects.get(action="merchants.import.fail", object_id=str(job.pk))
    assert row.district_id == north.district.pk and row.after["message"] == job.message
