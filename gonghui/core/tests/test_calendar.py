"""The holiday calendar page: staff read it, the system administrator enters the notice."""

from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.appeals.services.deadlines import deadline_for
from gonghui.core.calendar_services import calendar_year_missing
from gonghui.core.models import CalendarDay, DayKind
from gonghui.core.workdays import add_working_days, is_working_day
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db

SPRING_FESTIVAL_2027 = {"first": "2027-02-06", "last": "2027-02-14", "kind": "holiday"}


def test_the_system_administrator_lists_a_holiday_range_and_deadlines_skip_it(system_admin):
    before = add_working_days(date(2027, 2, 5), 1)

    response = logged_in(system_admin).post(
        "/calendar/days/", {**SPRING_FESTIVAL_2027, "note": "春节"}
    )

    assert response.status_code == 302
    assert before == date(2027, 2, 8)
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 15)
    assert not is_working_day(date(2027, 2, 10))


def test_an_adjusted_working_day_makes_a_saturday_count(system_admin):
    logged_in(system_admin).post(
        "/calendar/days/", {"first": "2027-02-20", "last": "2027-02-20", "kind": "workday"}
    )
    assert is_working_day(date(2027, 2, 20))


def test_re_sending_a_range_lists_each_day_once(system_admin):
    client = logged_in(system_admin)
    client.post("/calendar/days/", SPRING_FESTIVAL_2027)
    client.post("/calendar/days/", SPRING_FESTIVAL_2027)
    assert CalendarDay.objects.filter(date__year=2027).count() == 9


def test_a_reversed_range_is_refused_with_the_reason(system_admin):
    client = logged_in(system_admin)
    response = client.post(
        "/calendar/days/",
        {"first": "2027-02-14", "last": "2027-02-06", "kind": "holiday"},
        follow=True,
    )
    assert "结束日期早于开始日期" in response.content.decode()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_range_longer_than_a_month_is_refused(system_admin):
    logged_in(system_admin).post(
        "/calendar/days/", {"first": "2027-01-01", "last": "2027-12-31", "kind": "holiday"}
    )
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_removing_a_day_makes_it_follow_the_week_again(system_admin):
    CalendarDay.objects.create(date=date(2027, 5, 3), kind=DayKind.HOLIDAY)
    response = logged_in(system_admin).post("/calendar/days/2027-05-03/remove/")
    assert response.status_code == 302
    assert is_working_day(date(2027, 5, 3))


def test_an_officer_reads_the_calendar_but_may_not_change_it(street_officer):
    CalendarDay.objects.create(date=date(2027, 5, 3), kind=DayKind.HOLIDAY, note="劳动节")
    client = logged_in(street_officer)

    page = client.get("/calendar/?year=2027")
    refused = client.post("/calendar/days/", SPRING_FESTIVAL_2027)
    removal = client.post("/calendar/days/2027-05-03/remove/")

    assert "劳动节" in page.content.decode()
    assert 'data-testid="calendar-form"' not in page.content.decode()
    assert (refused.status_code, removal.status_code) == (403, 403)
    assert CalendarDay.objects.filter(date__year=2027).count() == 1


@pytest.mark.parametrize("url", ["/calendar/", "/calendar/days/"])
def test_an_anonymous_caller_is_sent_to_log_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_next_years_notice_is_asked_for_from_november():
    CalendarDay.objects.get_or_create(date=date(2026, 10, 1), kind=DayKind.HOLIDAY)
    CalendarDay.objects.filter(date__year=2027).delete()
    assert calendar_year_missing(today=date(2026, 10, 31)) is None
    assert calendar_year_missing(today=date(2026, 11, 1)) == 2027


def test_the_page_warns_while_this_years_notice_is_missing(street_officer):
    CalendarDay.objects.all().delete()
    body = logged_in(street_officer).get("/calendar/").content.decode()
    assert 'data-testid="calendar-missing"' in body
    assert str(timezone.localdate().year) in body


def test_the_page_does_not_warn_once_both_years_are_entered(street_officer):
    year = timezone.localdate().year
    for y in (year, year + 1):
        CalendarDay.objects.get_or_create(date=date(y, 1, 1), kind=DayKind.HOLIDAY)
    body = logged_in(street_officer).get("/calendar/").content.decode()
    assert 'data-testid="calendar-missing"' not in body


def test_an_appeal_deadline_counts_the_entered_holidays(system_admin):
    logged_in(system_admin).post("/calendar/days/", SPRING_FESTIVAL_2027)
    # Received on the Friday before the festival: 5 working days run to the next Friday.
    received = datetime(2027, 2, 5, 10, 0, tzinfo=timezone.get_current_timezone())
    assert deadline_for(received_at=received, difficulty="ordinary") == date(2027, 2, 19)


def test_the_appeal_workbench_warns_while_a_due_notice_is_missing(street_officer):
    CalendarDay.objects.all().delete()
    body = logged_in(street_officer).get("/appeals/").content.decode()
    assert 'data-testid="calendar-missing"' in body
