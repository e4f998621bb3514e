import importlib
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.models import CalendarDay, DayKind
from gonghui.core.workdays import add_working_days, is_working_day, working_days_between

_MIGRATION = importlib.import_module("gonghui.core.migrations.0003_calendarday")


def load_reference_calendar() -> None:
    """The 2025/2026 rows the migration loads, again: a transactional test may have flushed them."""
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=kind, note=note) for d, kind, note in _MIGRATION.DAYS],
        ignore_conflicts=True,
    )


@pytest.fixture(autouse=True)
def reference_calendar(db):
    load_reference_calendar()


def _working_days_in(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if is_working_day(d)]


def test_the_migration_loads_both_years_of_the_state_council_calendar():
    days = CalendarDay.objects.filter(date__year__in=[2025, 2026])
    assert days.filter(kind=DayKind.HOLIDAY).count() == 28 + 33
    assert days.filter(kind=DayKind.WORKDAY).count() == 5 + 6


def test_listed_working_days_are_all_weekend_days():
    for day in CalendarDay.objects.filter(kind=DayKind.WORKDAY):
        assert day.date.weekday() >= 5, day.date


def test_an_ordinary_week_works_monday_to_friday():
    week = [date(2026, 3, 9) + timedelta(days=i) for i in range(7)]
    assert [is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_spring_festival_2026_is_off_from_feb_15_to_23():
    assert _working_days_in(date(2026, 2, 15), date(2026, 2, 23)) == []


def test_the_saturdays_around_spring_festival_2026_are_working_days():
    assert is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 28))
    assert not is_working_day(date(2026, 2, 7))  # an ordinary Saturday


def test_working_days_across_spring_festival_2026():
    # Fri 13 → Sat 14 (worked) → nine days off → Tue 24.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_national_day_2026_is_off_and_saturday_oct_10_is_worked():
    assert _working_days_in(date(2026, 10, 1), date(2026, 10, 7)) == []
    assert is_working_day(date(2026, 10, 10))
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_a_span_across_the_2025_2026_year_boundary():
    # Wed 31 Dec 2025 → Jan 1–3 off → Sun 4 Jan worked → Mon 5 Jan.
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)
    assert working_days_between(date(2025, 12, 29), date(2026, 1, 9)) == 2 + 1 + 5


def test_counting_back_finds_the_working_day_before_a_holiday():
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 1, 5), -2) == date(2025, 12, 31)


def test_zero_working_days_is_the_start_itself():
    assert add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)
    assert working_days_between(date(2026, 2, 15), date(2026, 2, 15)) == 0
    assert working_days_between(date(2026, 2, 20), date(2026, 2, 10)) == 0


def test_an_admin_entered_holiday_counts_at_once():
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, note="元旦")
    assert not is_working_day(date(2027, 1, 1))  # a Friday
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_each_function_reads_the_calendar_in_one_query():
    with CaptureQueriesContext(connection) as queries:
        add_working_days(date(2025, 1, 1), 250)
        working_days_between(date(2025, 1, 1), date(2026, 12, 31))
        is_working_day(date(2026, 2, 14))
    assert len(queries) == 3


_DAYS = st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 12, 31))
_HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_HYPOTHESIS
@given(start=_DAYS, n=st.integers(min_value=1, max_value=80))
def test_adding_working_days_lands_on_a_working_day(start, n):
    assert is_working_day(add_working_days(start, n))


@_HYPOTHESIS
@given(start=_DAYS, n=st.integers(min_value=0, max_value=80))
def test_working_days_between_undoes_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@_HYPOTHESIS
@given(start=_DAYS, span=st.integers(min_value=0, max_value=60))
def test_working_days_between_counts_like_checking_each_day(start, span):
    end = start + timedelta(days=span)
    expected = len(_working_days_in(start + timedelta(days=1), end)) if span else 0
    assert working_days_between(start, end) == expected
