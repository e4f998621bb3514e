"""Working days under the public-holiday calendar (法定节假日 and 调休上班).

Monday to Friday are working days and weekends are rest days, except the days listed in
`CalendarDay`: a `holiday` is a day off whatever its weekday, a `workday` is a weekend day worked
in exchange. Each function reads the calendar rows of the range it needs in one query (the table
holds a few dozen rows a year), never one query per day.

Deadlines such as "decided within 3 working days" (join applications, the 12351 appeal line)
are counted with `working_days_between` and `add_working_days`.
"""

from datetime import date, timedelta

from gonghui.core.models import CalendarDay, DayKind

_ONE_DAY = timedelta(days=1)


def calendar_between(first: date, last: date) -> dict[date, str]:
    """The listed exceptions between `first` and `last`, both included."""
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"))


def is_working_in(day: date, calendar: dict[date, str]) -> bool:
    """Whether `day` is worked, given the exceptions `calendar_between` read for its range."""
    kind = calendar.get(day)
    if kind is None:
        return day.weekday() < 5
    return kind == DayKind.WORKDAY


def is_working_day(day: date) -> bool:
    """True on Monday–Friday unless listed as a holiday, and on listed working weekend days."""
    return is_working_in(day, calendar_between(day, day))


def add_working_days(start: date, n: int) -> date:
    """The `n`-th working day after `start` (`start` itself when `n` is 0).

    A negative `n` counts back: the |n|-th working day before `start`. `start` itself never
    counts, whether or not it is a working day: a request received on a Saturday and due within
    1 working day is due on Monday.
    """
    if n == 0:
        return start
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while True:
        # Even the longest holiday leaves far more than half of any such window working, so one
        # window (one query) suffices; the loop only guards against an absurd calendar.
        span = 2 * remaining + 30
        edge = day + step * span
        calendar = calendar_between(min(day, edge), max(day, edge))
        for _ in range(span):
            day += step
            if is_working_in(day, calendar):
                remaining -= 1
                if remaining == 0:
                    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start`, up to and including `end` (0 if end ≤ start).

    `working_days_between(d, add_working_days(d, n)) == n` for every n ≥ 0.
    """
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    first = start.weekday()
    count = full_weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)
    exceptions = CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list(
        "date", "kind"
    )
    for day, kind in exceptions:
        weekday = day.weekday() < 5
        if kind == DayKind.HOLIDAY and weekday:
            count -= 1
        elif kind == DayKind.WORKDAY and not weekday:
            count += 1
    return count
