from django_tasks import task

from . import jobs


@task()
def run_import_job(job_id: int) -> str:
    return jobs.import_job_run(job_id=job_id).status
