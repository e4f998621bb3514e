"""Date arithmetic and the supervision rule shared by verification and supervision."""

import calendar
from datetime import date

from django.db.models import Q

from gonghui.orgs.models import EmployerStatus, OrgWorkSettings


def years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def opened_by(*, rules: OrgWorkSettings, as_of: date) -> date:
    """Employers opened on or before this day have been open long enough for the rule."""
    return years_before(as_of, rules.supervision_min_years)


def unorganized_q(*, rules: OrgWorkSettings, as_of: date) -> Q:
    """Employers the supervision rule lists: operating, open long enough, big enough, no union."""
    return Q(
        status=EmployerStatus.OPERATING,
        union__isnull=True,
        employees__gte=rules.supervision_min_employees,
        opened_on__lte=opened_by(rules=rules, as_of=as_of),
    )


def meets_rule(
    *,
    rules: OrgWorkSettings,
    as_of: date,
    employees: int | None,
    opened_on: date | None,
    has_union: bool,
) -> bool:
    """The same rule as `unorganized_q` for one operating employer held in memory."""
    return (
        not has_union
        and employees is not None
        and employees >= rules.supervision_min_employees
        and opened_on is not None
        and opened_on <= opened_by(rules=rules, as_of=as_of)
    )
