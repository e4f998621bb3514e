"""Deadlines by difficulty class, in working days (gonghui.core.workdays) from the day of receipt.

An appeal received on day D with a class of n working days is due at the end of the n-th working
day after D; it is overdue from the next day on while it has not been replied to.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from gonghui.appeals.models import AppealStatus, Difficulty
from gonghui.core.workdays import add_working_days

# Before the reply the clock runs; once replied an appeal is never overdue nor escalated.
CLOCK_RUNNING = frozenset(
    {
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.ACCEPTED,
        AppealStatus.IN_PROGRESS,
    }
)


def working_days_for(difficulty: str) -> int:
    days: int = settings.APPEALS_DEADLINE_DAYS[Difficulty(difficulty).value]
    return days


def deadline_for(*, received_at: datetime, difficulty: str) -> date:
    received_on = timezone.localdate(received_at)
    return add_working_days(received_on, working_days_for(difficulty))


def is_overdue(*, status: str, deadline: date, today: date) -> bool:
    return status in CLOCK_RUNNING and today > deadline
