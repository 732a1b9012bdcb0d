"""Enqueue the periodic jobs the apps contribute (``Contributions.jobs``) when they are due."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .extensions import periodic_jobs
from .models import PeriodicJobRun

logger = logging.getLogger("shangquan.scheduler")


def enqueue_due_jobs(now=None) -> list[str]:
    now = now or timezone.now()
    enqueued = []
    for path, interval in periodic_jobs():
        with transaction.atomic():
            run, created = PeriodicJobRun.objects.select_for_update(of=("self",)).get_or_create(
                name=path, defaults={"last_enqueued_at": now})
            if not created and now - run.last_enqueued_at < timedelta(seconds=interval):
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(lambda p=path: import_string(p).enqueue())
            enqueued.append(path)
    if enqueued:
        logger.info("enqueued periodic jobs: %s", ", ".join(enqueued))
    return enqueued
