from django_tasks import task

from .importing import import_job_run
from .rosters import rosters_extend


@task()
def run_import_job(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@task()
def extend_rosters() -> int:
    """Keep 街区管家 rosters running: continue those ending within a week."""
    return rosters_extend()
