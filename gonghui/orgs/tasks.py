"""Background jobs of the orgs app (django-tasks; run by `gonghui db_worker`)."""

from django_tasks import task

from gonghui.orgs.services.verification import register_verify_run


@task()
def run_register_verification(run_id: int) -> None:
    register_verify_run(run_id=run_id)
