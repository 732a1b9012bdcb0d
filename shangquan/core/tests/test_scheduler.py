from datetime import timedelta

import pytest
from django.utils import timezone

from shangquan.core.models import PeriodicJobRun
from shangquan.core.scheduler import enqueue_due_jobs

pytestmark = pytest.mark.django_db


def test_periodic_jobs_enqueue_once_per_interval(django_capture_on_commit_callbacks):
    from shangquan.core.extensions import periodic_jobs

    PERIODIC_JOBS = periodic_jobs()

    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_due_jobs(now)
    assert set(first) == {path for path, _ in PERIODIC_JOBS}
    assert enqueue_due_jobs(now + timedelta(seconds=1)) == []
    longest = max(interval for _, interval in PERIODIC_JOBS)
    with django_capture_on_commit_callbacks(execute=True):
        later = enqueue_due_jobs(now + timedelta(seconds=longest + 1))
    assert set(later) == set(first)
    assert PeriodicJobRun.objects.count() == len(PERIODIC_JOBS)


def test_every_periodic_job_is_a_task():
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    from shangquan.core.extensions import periodic_jobs

    PERIODIC_JOBS = periodic_jobs()

    for path, interval in PERIODIC_JOBS:
        assert isinstance(import_string(path), Task), path
        assert interval > 0


def test_expired_login_codes_are_purged():
    from shangquan.core.models import OneTimeCode
    from shangquan.core.tasks import purge_one_time_codes

    now = timezone.now()
    OneTimeCode.objects.create(phone="13800000000", code_hash="x",
                               created_at=now - timedelta(days=3),
                               expires_at=now - timedelta(days=2))
    fresh = OneTimeCode.objects.create(phone="13800000001", code_hash="y", created_at=now,
                                       expires_at=now + timedelta(minutes=5))
    purge_one_time_codes.enqueue()
    assert list(OneTimeCode.objects.all()) == [fresh]
