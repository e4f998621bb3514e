"""Deadlines in working days: weekends, public holidays and adjusted working days (调休)."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.appeals.services.deadlines import deadline_for, is_overdue, working_days_for
from gonghui.appeals.tests.helpers import at
from gonghui.core.workdays import is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_an_ordinary_appeal_received_on_new_years_eve_is_due_after_the_holiday():
    # 2025-12-31 (Wed); 1–3 January 2026 are off, Sunday 4 January is worked (调休).
    assert deadline_for(received_at=at("2025-12-31 09:00"), difficulty="ordinary") == date(
        2026, 1, 8
    )


def test_the_adjusted_working_sunday_counts_as_a_working_day():
    assert deadline_for(received_at=at("2026-01-02 09:00"), difficulty="ordinary") == date(
        2026, 1, 8
    )
    assert is_working_day(date(2026, 1, 4))


def test_spring_festival_is_skipped():
    # Received Friday 13 Feb 2026: Sat 14 Feb worked, 15–23 Feb off, Sat 28 Feb worked.
    due = deadline_for(received_at=at("2026-02-13 16:00"), difficulty="ordinary")
    assert due == date(2026, 2, 27)


def test_a_difficult_appeal_has_more_time_than_an_ordinary_one():
    received = at("2026-03-02 10:00")
    ordinary = deadline_for(received_at=received, difficulty="ordinary")
    difficult = deadline_for(received_at=received, difficulty="difficult")
    complex_ = deadline_for(received_at=received, difficulty="complex")
    assert ordinary < difficult < complex_


def test_an_appeal_received_late_at_night_counts_from_its_beijing_day():
    # 23:30 on Friday 6 March in Beijing is still Friday, not Saturday.
    assert deadline_for(received_at=at("2026-03-06 23:30"), difficulty="ordinary") == date(
        2026, 3, 13
    )


def test_replied_appeals_are_never_overdue():
    assert is_overdue(status="in_progress", deadline=date(2026, 1, 8), today=date(2026, 1, 9))
    assert not is_overdue(status="replied", deadline=date(2026, 1, 8), today=date(2026, 1, 9))
    assert not is_overdue(status="in_progress", deadline=date(2026, 1, 8), today=date(2026, 1, 8))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    difficulty=st.sampled_from(["ordinary", "difficult", "complex"]),
)
def test_every_deadline_is_a_working_day_exactly_n_working_days_later(day, difficulty):
    due = deadline_for(received_at=at(f"{day.isoformat()} 12:00"), difficulty=difficulty)
    assert is_working_day(due)
    assert working_days_between(day, due) == working_days_for(difficulty)
    # No working day is skipped: the day before the deadline leaves one day short.
    assert working_days_between(day, due - timedelta(days=1)) == working_days_for(difficulty) - 1
