"""Automatic escalation of overdue appeals (超期督办), run by `gonghui appeals_escalate` or the
background job, inside service hours only.

An appeal past its deadline that has not been replied to is put under the supervision of the
org above its handling org, once. Replied, called-back and closed appeals are never escalated,
and nothing happens outside service hours (working days, `APPEALS_SERVICE_HOURS`), so nobody is
reminded at midnight or on a holiday: the next run inside service hours catches up.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from gonghui.appeals.models import ActionKind, Appeal
from gonghui.appeals.services.history import record
from gonghui.appeals.services.machine import UNRESOLVED, next_status
from gonghui.appeals.services.routing import ancestors_of
from gonghui.core.workdays import is_working_day


@dataclass(frozen=True)
class ServiceHours:
    start: time
    end: time


def service_hours() -> ServiceHours:
    """`APPEALS_SERVICE_HOURS` ("08:30-17:30") parsed; a malformed value stops the program."""
    raw = settings.APPEALS_SERVICE_HOURS
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ImproperlyConfigured(
            f"GONGHUI_APPEAL_SERVICE_HOURS={raw!r}: write it as HH:MM-HH:MM, e.g. 08:30-17:30"
        ) from None
    if not start < end:
        raise ImproperlyConfigured(f"GONGHUI_APPEAL_SERVICE_HOURS={raw!r}: the start is not first")
    return ServiceHours(start=start, end=end)


def in_service_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    hours = service_hours()
    return is_working_day(local.date()) and hours.start <= local.time() < hours.end


def overdue_unescalated(*, today: datetime) -> list[int]:
    return list(
        Appeal.objects.filter(
            status__in=UNRESOLVED,
            deadline__lt=timezone.localdate(today),
            escalated_at__isnull=True,
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def _escalate(pk: int, *, now: datetime) -> bool:
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("org").get(pk=pk)
    if appeal.status not in UNRESOLVED or appeal.escalated_at is not None:
        return False  # replied (or escalated) meanwhile
    before = appeal.status
    appeal.status = next_status(ActionKind.ESCALATE, before)
    chain = ancestors_of(appeal.org)
    supervisor = chain[1] if len(chain) > 1 else appeal.org
    appeal.supervised = True
    appeal.supervising_org = supervisor
    appeal.escalated_at = now
    appeal.save(update_fields=["supervised", "supervising_org", "escalated_at", "updated_at"])
    record(appeal, kind=ActionKind.ESCALATE, actor=None, from_status=before,
           note=f"{appeal.deadline:%Y-%m-%d} → {supervisor.name}")  # fmt: skip
    return True


def appeals_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue, unreplied appeal once; nothing outside service hours."""
    now = now or timezone.now()
    if not in_service_hours(now):
        return 0
    return sum(_escalate(pk, now=now) for pk in overdue_unescalated(today=now))
