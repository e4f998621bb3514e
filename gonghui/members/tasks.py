"""Background jobs of the member registry (django-tasks; run by `gonghui db_worker`)."""

from django_tasks import task

from gonghui.members.services.imports import member_import_run


@task()
def run_member_import(import_id: int) -> None:
    member_import_run(import_id=import_id)
