"""Import safety: an upload first shows a dry run — how many rows would be created,
updated, left unchanged or refused, and which fields would change — and writes nothing
until it is confirmed (once); another district's job is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shangquan.core.errors import Conflict, NotFound
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants import jobs
from shangquan.merchants.models import ImportJob, Merchant
from shangquan.merchants.tests.factories import licence_for, merchant_factory

pytestmark = pytest.mark.django_db


def _csv(*rows: str) -> bytes:
    return ("商户名称,统一社会信用代码,经营类别,摊位号\n" + "\n".join(rows) + "\n").encode()


def test_dry_run_counts_and_writes_nothing(north, django_capture_on_commit_callbacks):
    committee = north.people[Role.COMMITTEE]
    merchant_factory(north.district, name="老店", licence_no=licence_for(5501), actor=committee,
                     category="小吃", stall_no="A-01")
    merchant_factory(north.district, name="不变", licence_no=licence_for(5502), actor=committee,
                     category="小吃", stall_no="A-02")
    before = Merchant.objects.count()
    data = _csv(f"示例：某某小吃,{licence_for(5599)},小吃,X",
                f"新店,{licence_for(5503)},小吃,A-03",
                f"老店,{licence_for(5501)},小吃,A-09",
                f"不变,{licence_for(5502)},小吃,A-02",
                "坏号,9144030071526726XA,小吃,A-04")
    job = jobs.import_job_create(actor=committee, district=north.district, filename="名录.csv",
                                 data=data, dry_run=True)
    p = job.preview
    assert (p["total"], p["created"], p["updated"], p["unchanged"], p["skipped"]) == (4, 1, 1, 1, 1)
    assert len(p["errors"]) == 1 and p["errors"][0]["row"] == 6
    updated = next(r for r in p["rows"] if r["outcome"] == "updated")
    assert updated["name"] == "老店" and updated["fields"] == ["摊位号"]
    assert Merchant.objects.count() == before and job.status == ImportJob.Status.PREVIEW
    assert not AuditLog.objects.filter(action="merchants.merchant.import").exists()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(actor=committee, district=north.district, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created == 1 and job.updated == 1
    assert Merchant.objects.get(licence_no=licence_for(5501)).stall_no == "A-09"
    assert AuditLog.objects.filter(action="merchants.import.confirm", object_id=str(job.pk)).exists()
    with pytest.raises(Conflict):
        jobs.import_job_confirm(actor=committee, district=north.district, job=job)


def test_other_districts_job_is_not_found(client, north, south):
    job = jobs.import_job_create(actor=south.people[Role.COMMITTEE], district=south.district,
                                 filename="名录.csv", data=_csv(f"南店,{licence_for(5601)},小吃,B"),
                                 dry_run=True)
    with pytest.raises(NotFound):
        jobs.import_job_confirm(actor=north.people[Role.COMMITTEE], district=north.district,
                                job=job)
    client.force_login(north.people[Role.COMMITTEE])
    url = reverse("merchants:import_job", kwargs={"code": north.district.code, "job_id": job.pk})
    assert client.post(url, {"action": "confirm"}).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
