"""Background jobs of the outbox and the SMS broadcasts (django-tasks; `gonghui db_worker`)."""

from django_tasks import task

from gonghui.notify.broadcast_services import broadcast_fan_out
from gonghui.notify.services import outbox_dispatch


@task()
def dispatch_outbox() -> None:
    outbox_dispatch()


@task()
def fan_out_broadcast(broadcast_id: int) -> None:
    broadcast_fan_out(pk=broadcast_id)
