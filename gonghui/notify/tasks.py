"""Background job of the outbox (django-tasks; run by `gonghui db_worker`)."""

from django_tasks import task

from gonghui.notify.services import outbox_dispatch


@task()
def dispatch_outbox() -> None:
    outbox_dispatch()
