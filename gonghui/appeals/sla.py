"""SLA countdown badges: working days left before an appeal's deadline, or days overdue."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gonghui.appeals.models import Appeal
from gonghui.appeals.services.deadlines import CLOCK_RUNNING
from gonghui.core.workdays import calendar_between, is_working_in


@dataclass(frozen=True)
class Badge:
    tone: str  # "" (no clock), "green", "orange", "red"
    text: str


def sla_badges(appeals: list[Appeal], *, today: date) -> list[Badge]:
    """One badge per appeal, with one calendar query for the whole page."""
    running = [a for a in appeals if a.status in CLOCK_RUNNING]
    if not running:
        return [Badge("", "") for _a in appeals]
    first = min([today, *(a.deadline for a in running)])
    last = max([today, *(a.deadline for a in running)])
    calendar = calendar_between(first, last)

    def working_days(start: date, end: date) -> int:
        days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(is_working_in(day, calendar) for day in days)

    badges = []
    for appeal in appeals:
        if appeal.status not in CLOCK_RUNNING:
            badges.append(Badge("", ""))
        elif appeal.deadline < today:
            late = working_days(appeal.deadline, today)
            badges.append(Badge("red", ngettext(
                "overdue by %(n)d working day", "overdue by %(n)d working days", max(late, 1)
            ) % {"n": max(late, 1)}))  # fmt: skip
        elif appeal.deadline == today:
            badges.append(Badge("orange", _("due today")))
        else:
            left = working_days(today, appeal.deadline)
            badges.append(Badge("orange" if left <= 1 else "green", ngettext(
                "%(n)d working day left", "%(n)d working days left", left
            ) % {"n": left}))  # fmt: skip
    return badges
