"""The statutory clocks of the Labour Dispute Mediation and Arbitration Law (pure functions).

- Art. 14: mediation ends within 15 days of the application; afterwards a party may apply for
  arbitration. Warned from day 12.
- Art. 27: arbitration must be applied for within 1 year of the day the worker knew (or should
  have known) of the infringement. Warned in the last 30 days.
- Art. 43: the award within 45 days of acceptance, extendable once by at most 15 days. Warned in
  the last 5 days before each deadline.

Days run from the day after the start (the start day does not count), so the 15-day mediation
period of an application on 1 March ends on 16 March. A year ends on the same date a year later;
a period begun on 29 February ends on 28 February. When `is_working_day` is given, a deadline on
a rest day rolls forward to the next working day (期间届满日遇法定休假日顺延).
"""

from calendar import isleap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

MEDIATION_DAYS = 15
MEDIATION_WARN_FROM_DAY = 12
LIMITATION_WARN_DAYS = 30
AWARD_DAYS = 45
AWARD_EXTENSION_DAYS = 15
AWARD_WARN_DAYS = 5

RUNNING, WARNING, EXPIRED = "running", "warning", "expired"

WorkingDay = Callable[[date], bool]


@dataclass(frozen=True)
class Clock:
    kind: str  # mediation, limitation, award
    label: str
    start: date
    due: date
    day: int  # days elapsed since the start (the start day is day 0)
    remaining: int  # days left until `due` (negative once past)
    state: str  # running, warning, expired

    @property
    def tone(self) -> str:
        return {RUNNING: "green", WARNING: "orange", EXPIRED: "red"}[self.state]


def add_year(start: date) -> date:
    """The same date a year later; 29 February → 28 February of a common year."""
    year = start.year + 1
    if start.month == 2 and start.day == 29 and not isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year)


def _roll(due: date, is_working_day: WorkingDay | None) -> date:
    if is_working_day is None:
        return due
    for _step in range(60):  # the longest holiday is far shorter
        if is_working_day(due):
            return due
        due += timedelta(days=1)
    return due


def _clock(kind: str, label: str, start: date, due: date, today: date, warn_from: date) -> Clock:
    state = EXPIRED if today > due else WARNING if today >= warn_from else RUNNING
    return Clock(
        kind=kind,
        label=label,
        start=start,
        due=due,
        day=(today - start).days,
        remaining=(due - today).days,
        state=state,
    )


def mediation_clock(
    applied_on: date, *, today: date, is_working_day: WorkingDay | None = None
) -> Clock:
    due = _roll(applied_on + timedelta(days=MEDIATION_DAYS), is_working_day)
    return _clock(
        "mediation",
        str(_("Mediation period (15 days)")),
        applied_on,
        due,
        today,
        applied_on + timedelta(days=MEDIATION_WARN_FROM_DAY),
    )


def limitation_clock(
    knew_on: date, *, today: date, is_working_day: WorkingDay | None = None
) -> Clock:
    due = _roll(add_year(knew_on), is_working_day)
    return _clock(
        "limitation",
        str(_("Arbitration limitation period (1 year)")),
        knew_on,
        due,
        today,
        due - timedelta(days=LIMITATION_WARN_DAYS - 1),
    )


def award_clock(
    accepted_on: date,
    *,
    today: date,
    extended: bool = False,
    is_working_day: WorkingDay | None = None,
) -> Clock:
    days = AWARD_DAYS + (AWARD_EXTENSION_DAYS if extended else 0)
    due = _roll(accepted_on + timedelta(days=days), is_working_day)
    label = (
        _("Arbitration award (45 + 15 days, extended)")
        if extended
        else _("Arbitration award (45 days)")
    )
    return _clock(
        "award", str(label), accepted_on, due, today, due - timedelta(days=AWARD_WARN_DAYS - 1)
    )
