"""The statutory clocks on their boundaries (calendar days; rest days rolled forward on demand)."""

from datetime import date, timedelta

from gonghui.legal.clocks import (
    EXPIRED,
    RUNNING,
    WARNING,
    add_year,
    award_clock,
    limitation_clock,
    mediation_clock,
)

APPLIED = date(2026, 3, 2)


def test_mediation_runs_until_day_11():
    clock = mediation_clock(APPLIED, today=APPLIED + timedelta(days=11))
    assert clock.state == RUNNING
    assert clock.day == 11


def test_mediation_warns_from_day_12():
    assert mediation_clock(APPLIED, today=APPLIED + timedelta(days=12)).state == WARNING


def test_mediation_is_still_within_time_on_day_15():
    clock = mediation_clock(APPLIED, today=APPLIED + timedelta(days=15))
    assert clock.due == date(2026, 3, 17)
    assert clock.state == WARNING
    assert clock.remaining == 0


def test_mediation_has_expired_on_day_16_and_arbitration_may_be_applied_for():
    clock = mediation_clock(APPLIED, today=APPLIED + timedelta(days=16))
    assert clock.state == EXPIRED
    assert clock.remaining == -1


def test_award_due_on_day_45_and_warned_in_the_last_5_days():
    accepted = date(2026, 1, 10)
    assert award_clock(accepted, today=accepted + timedelta(days=40)).state == RUNNING
    assert award_clock(accepted, today=accepted + timedelta(days=41)).state == WARNING
    on_45 = award_clock(accepted, today=accepted + timedelta(days=45))
    assert on_45.due == date(2026, 2, 24)
    assert on_45.state == WARNING
    assert award_clock(accepted, today=accepted + timedelta(days=46)).state == EXPIRED


def test_an_extended_award_is_due_on_day_45_plus_15():
    accepted = date(2026, 1, 10)
    day_46 = award_clock(accepted, today=accepted + timedelta(days=46), extended=True)
    assert day_46.state == RUNNING
    assert day_46.due == accepted + timedelta(days=60)
    assert award_clock(accepted, today=accepted + timedelta(days=56), extended=True).state == (
        WARNING
    )
    assert award_clock(accepted, today=accepted + timedelta(days=60), extended=True).state == (
        WARNING
    )
    assert award_clock(accepted, today=accepted + timedelta(days=61), extended=True).state == (
        EXPIRED
    )


def test_the_limitation_year_across_a_leap_day_has_366_days():
    knew = date(2023, 6, 1)
    clock = limitation_clock(knew, today=date(2024, 6, 1))
    assert clock.due == date(2024, 6, 1)
    assert (clock.due - knew).days == 366
    assert clock.state == WARNING
    assert limitation_clock(knew, today=date(2024, 6, 2)).state == EXPIRED


def test_a_limitation_year_begun_on_29_february_ends_on_28_february():
    assert add_year(date(2024, 2, 29)) == date(2025, 2, 28)
    clock = limitation_clock(date(2024, 2, 29), today=date(2025, 3, 1))
    assert clock.state == EXPIRED


def test_the_limitation_warning_covers_the_last_30_days():
    knew = date(2025, 5, 20)
    due = date(2026, 5, 20)
    assert limitation_clock(knew, today=due - timedelta(days=30)).state == RUNNING
    assert limitation_clock(knew, today=due - timedelta(days=29)).state == WARNING


def test_a_deadline_on_a_rest_day_rolls_forward_to_the_next_working_day():
    applied = date(2026, 3, 6)  # due 21 March 2026, a Saturday
    clock = mediation_clock(applied, today=applied, is_working_day=lambda d: d.weekday() < 5)
    assert clock.due == date(2026, 3, 23)
