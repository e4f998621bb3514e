"""The public-holiday calendar (CalendarDay), kept by the system administrator.

The State Council publishes each next year's notice in November or December; until it is
entered, deadlines in that year count Monday–Friday only. Deadlines already set are not moved
when the calendar changes: new ones (and recomputed ones) use it.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.models import CalendarDay, DayKind

# The longest run of days off in a notice is 9 (Spring Festival); a typo like a whole year is
# refused rather than turning months into holidays.
MAX_RANGE_DAYS = 31
# From this month on, the next year's notice is expected.
NOTICE_MONTH = 11


@transaction.atomic
def calendar_days_set(*, first: date, last: date, kind: str, note: str = "") -> int:
    """List every day from `first` to `last` as `kind`; returns how many days were listed.

    Re-sending a range changes nothing; a day listed before takes the new kind and note.
    """
    if kind not in DayKind.values:
        raise ValidationError({"kind": [_("Choose a day off or an adjusted working day.")]})
    if last < first:
        raise ValidationError({"last": [_("The last day comes before the first.")]})
    span = (last - first).days + 1
    if span > MAX_RANGE_DAYS:
        raise ValidationError(
            {"last": [_("A range covers at most %(n)d days.") % {"n": MAX_RANGE_DAYS}]}
        )
    for offset in range(span):
        CalendarDay.objects.update_or_create(
            date=first + timedelta(days=offset), defaults={"kind": kind, "note": note[:100]}
        )
    return span


@transaction.atomic
def calendar_day_remove(*, day: date) -> bool:
    """Unlist `day` (it follows the week again); False if it was not listed."""
    deleted, _by_model = CalendarDay.objects.filter(date=day).delete()
    return deleted > 0


def calendar_year_days(*, year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def calendar_year_missing(*, today: date) -> int | None:
    """The year whose notice is due but not entered: this year, or next year from November."""
    due = [today.year, *([today.year + 1] if today.month >= NOTICE_MONTH else [])]
    for year in due:
        if not CalendarDay.objects.filter(date__year=year).exists():
            return year
    return None
