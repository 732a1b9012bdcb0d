"""Web uploads of merchant lists: a job row the page polls for progress."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.models import District

from .importing import merchants_import
from .models import ImportJob

MAX_UPLOAD = 10 * 1024 * 1024


@transaction.atomic
def import_job_create(*, actor: Any, district: District, filename: str,
                      data: bytes) -> ImportJob:
    policies.require(actor, district, "merchant.import")
    if not data:
        raise ValidationFailed(_("请选择要导入的文件"), code="empty_file")
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(_("文件太大（上限 10 MB）"), code="file_too_large")
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise ValidationFailed(_("只支持 .xlsx 或 .csv 文件"), code="bad_file_type")
    job = ImportJob.objects.create(district=district, filename=filename[:200], data=data,
                                   created_by=actor)
    audit_record(actor=actor, district=district, obj=job, action="merchant.import_queued",
                 after={"filename": job.filename})
    from .tasks import run_import_job

    job_id = job.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import, writing progress to the job row as chunks finish."""
    job = ImportJob.objects.select_related("district", "created_by").get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING,):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        report = merchants_import(actor=job.created_by, district=job.district,
                                  data=bytes(job.data), filename=job.filename,
                                  progress=progress)
    except DomainError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(exc.message)[:300],
            finished_at=timezone.now())
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, total=report.total, processed=report.total,
            created=report.created, updated=report.updated, errors=report.errors,
            finished_at=timezone.now(), data=b"")  # the upload is not kept once imported
    job.refresh_from_db()
    return job
