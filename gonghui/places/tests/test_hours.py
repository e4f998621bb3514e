"""Opening hours: overnight ranges, public holidays, adjusted working days, special days."""

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.models import CalendarDay, DayKind
from gonghui.places.hours import ALL_DAY, Hours, HoursInvalid, format_hours, parse_hours
from gonghui.places.selectors import calendar_around

# 2026-10-02 is a Friday inside the National Day holiday; 2026-10-10 a Saturday worked.
FRI = date(2026, 11, 6)
SAT = date(2026, 11, 7)
NO_HOLIDAYS: dict[date, str] = {}


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """Local wall-clock time, which is what opening hours are about."""
    return datetime(day.year, day.month, day.day, hh, mm)  # noqa: DTZ001


def test_a_day_range_is_open_from_its_start_until_just_before_its_end():
    hours = parse_hours("Mon-Fri 08:30-17:30")
    assert not hours.is_open(at(FRI, 8, 29), NO_HOLIDAYS)
    assert hours.is_open(at(FRI, 8, 30), NO_HOLIDAYS)
    assert hours.is_open(at(FRI, 17, 29), NO_HOLIDAYS)
    assert not hours.is_open(at(FRI, 17, 30), NO_HOLIDAYS)
    assert not hours.is_open(at(SAT, 10), NO_HOLIDAYS)


def test_an_overnight_range_runs_into_the_next_morning():
    hours = parse_hours("Fri 22:00-06:00")
    assert not hours.is_open(at(FRI, 21, 59), NO_HOLIDAYS)
    assert hours.is_open(at(FRI, 23, 30), NO_HOLIDAYS)
    assert hours.is_open(at(SAT, 0, 0), NO_HOLIDAYS)
    assert hours.is_open(at(SAT, 5, 59), NO_HOLIDAYS)
    assert not hours.is_open(at(SAT, 6, 0), NO_HOLIDAYS)
    # Saturday has no range of its own: its evening stays closed.
    assert not hours.is_open(at(SAT, 23, 0), NO_HOLIDAYS)


def test_an_overnight_range_started_before_a_holiday_runs_on_into_it():
    hours = parse_hours("daily 22:00-06:00; holidays closed")
    calendar = {SAT: "holiday"}
    assert hours.is_open(at(SAT, 3), calendar)  # Friday night's shift goes on
    assert not hours.is_open(at(SAT, 23), calendar)  # the holiday's own night is closed
    assert not hours.is_open(at(date(2026, 11, 8), 3), calendar)  # nor its morning after


def test_a_point_closed_on_holidays_is_closed_on_a_weekday_holiday():
    hours = parse_hours("周一至周五 08:30-17:30；节假日 休息")
    national_day = date(2026, 10, 2)  # a Friday
    assert not hours.is_open(at(national_day, 10), {national_day: "holiday"})
    assert hours.is_open(at(national_day, 10), NO_HOLIDAYS)


def test_holiday_hours_replace_the_weekday_hours_on_holidays():
    hours = parse_hours("Mon-Fri 08:30-17:30; holidays 10:00-14:00")
    holiday = date(2026, 10, 2)
    assert not hours.is_open(at(holiday, 9), {holiday: "holiday"})
    assert hours.is_open(at(holiday, 13), {holiday: "holiday"})


def test_regular_points_keep_their_hours_on_holidays():
    hours = parse_hours("24h")
    holiday = date(2026, 10, 2)
    assert hours.always_open
    assert hours.is_open(at(holiday, 3), {holiday: "holiday"})


def test_an_adjusted_working_saturday_opens_with_mondays_hours():
    hours = parse_hours("Mon-Fri 08:30-17:30; holidays closed")
    worked = date(2026, 10, 10)  # Saturday, 调休上班
    assert hours.is_open(at(worked, 9), {worked: "workday"})
    assert not hours.is_open(at(worked, 9), NO_HOLIDAYS)


def test_a_special_day_wins_over_everything():
    hours = parse_hours("24h; 2026-11-06 closed; 2026-11-07 10:00-12:00")
    assert not hours.is_open(at(FRI, 12), NO_HOLIDAYS)
    assert hours.is_open(at(SAT, 11), {SAT: "holiday"})
    assert not hours.is_open(at(SAT, 13), NO_HOLIDAYS)


@pytest.mark.django_db
def test_the_calendar_of_the_holiday_table_closes_a_point():
    CalendarDay.objects.update_or_create(date=date(2026, 10, 2), defaults={"kind": DayKind.HOLIDAY})
    hours = parse_hours("Mon-Fri 08:30-17:30; holidays closed")
    moment = at(date(2026, 10, 2), 10)
    assert not hours.is_open(moment, calendar_around(moment))


@pytest.mark.parametrize(
    "text",
    ["Mon-Fri 25:00-26:00", "Mon 08:00-08:00", "Funday 08:00-09:00", "Mon 8点到9点",
     "2026-02-30 closed", "Mon regular", "08:00-09:00"],
)  # fmt: skip
def test_text_that_is_not_hours_is_refused_naming_the_part(text):
    with pytest.raises(HoursInvalid):
        parse_hours(text)


def test_chinese_and_english_texts_read_the_same():
    english = parse_hours("Mon-Fri 08:30-12:00,13:30-17:30; Sat 09:00-12:00; holidays closed")
    chinese = parse_hours("周一至周五 08:30-12:00，13:30-17:30；星期六 9:00-12:00；节假日 休息")
    assert english == chinese


minutes = st.integers(min_value=0, max_value=1439)
ranges = st.lists(
    st.tuples(minutes, minutes).map(lambda r: r if r[0] != r[1] else (r[0], (r[1] + 1) % 1440))
    | st.just(ALL_DAY),
    max_size=2,
).map(sorted)
hours_strategy = st.builds(
    Hours,
    weekly=st.lists(ranges, min_size=7, max_size=7),
    holidays=st.sampled_from(["regular", "closed"]),
    special=st.dictionaries(st.dates(date(2025, 1, 1), date(2027, 12, 31)), ranges, max_size=3),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hours_strategy, st.booleans())
def test_formatted_hours_read_back_to_the_same_hours(hours, chinese):
    assert parse_hours(format_hours(hours, chinese=chinese)) == hours


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hours_strategy)
def test_hours_survive_their_storage_form(hours):
    assert Hours.from_json(hours.to_json()) == hours
