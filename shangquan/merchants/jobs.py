"""Web uploads of merchant lists: a job row the page polls for progress.

Creating the job queues ``tasks.run_import_job``, which runs ``importing.import_job_run``;
the runner lives below the task, so nothing imports back up (no loop)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import user_of
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.models import District

from .importing import import_preview
from .models import ImportJob
from .tasks import run_import_job

MAX_UPLOAD = 10 * 1024 * 1024


@audited("merchants.import.queue")
@transaction.atomic
def import_job_create(*, actor: Any, district: District, filename: str,
                      data: bytes, dry_run: bool = False) -> ImportJob:
    """Keep the upload as a job. ``dry_run``: work out what it would do
    (``importing.import_preview``) and wait for ``import_job_confirm``; else queue it."""
    policies.require(actor, "merchant.import", district)
    if not data:
        raise ValidationFailed(_("请选择要导入的文件"), code="empty_file")
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(_("文件太大（上限 10 MB）"), code="file_too_large")
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise ValidationFailed(_("只支持 .xlsx 或 .csv 文件"), code="bad_file_type")
    preview = (import_preview(district=district, data=data, filename=filename)
               if dry_run else {})
    job = ImportJob.objects.create(
        district=district, filename=filename[:200], data=data, created_by=user_of(actor),
        status=ImportJob.Status.PREVIEW if dry_run else ImportJob.Status.PENDING,
        preview=preview, total=preview.get("total", 0))
    audit_record(actor=actor, district=district, obj=job, action="merchants.import.queue",
                 after={"filename": job.filename, "dry_run": dry_run})
    if dry_run:
        return job
    job_id = job.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))
    return job


@audited("merchants.import.confirm")
@transaction.atomic
def import_job_confirm(*, actor: Any, district: District, job: ImportJob) -> ImportJob:
    """After the dry run: import it now (queued like any upload)."""
    policies.require(actor, "merchant.import", district)
    if job.district_id != district.pk:
        raise NotFound()
    locked = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
    if locked.status != ImportJob.Status.PREVIEW:
        raise Conflict(_("这个导入已确认或已完成"), code="import_not_in_preview")
    locked.status = ImportJob.Status.PENDING
    locked.save(update_fields=["status"])
    audit_record(actor=actor, district=district, obj=locked, action="merchants.import.confirm",
                 after={"filename": locked.filename, "total": locked.preview.get("total", 0)})
    job_id = locked.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))
    return locked
