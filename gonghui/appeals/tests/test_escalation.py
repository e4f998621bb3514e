"""Overdue appeals are escalated once, never after the reply, and only inside service hours."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gonghui.appeals.models import AppealStatus
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.services.escalation import appeals_escalate_overdue, in_service_hours
from gonghui.appeals.tests.helpers import at, file_appeal, handler
from gonghui.testing import run_gonghui

pytestmark = pytest.mark.django_db

# Received Monday 2 March 2026: an ordinary appeal is due Monday 9 March.
RECEIVED = "2026-03-02 10:00"
LATE_MORNING = at("2026-03-10 10:00")  # Tuesday, inside service hours


@pytest.fixture
def late(city):
    handler("escalation_handler", city.street)
    return file_appeal(city.city, employer_uscc=city.employer.uscc, received_at=at(RECEIVED))


def test_an_overdue_appeal_goes_under_the_supervision_of_the_org_above(city, late):
    assert appeals_escalate_overdue(now=LATE_MORNING) == 1
    late.refresh_from_db()
    assert late.supervised
    assert late.supervising_org == city.district
    assert late.actions.last().kind == "escalate"


def test_an_appeal_is_escalated_only_once(late):
    appeals_escalate_overdue(now=LATE_MORNING)
    assert appeals_escalate_overdue(now=at("2026-03-11 10:00")) == 0
    assert late.actions.filter(kind="escalate").count() == 1


def test_a_replied_appeal_is_never_escalated(city, late):
    worker = handler("escalation_handler", city.street)
    wf.appeal_accept(user=worker, appeal=late)
    wf.appeal_reply(user=worker, appeal=late, text="已答复")
    assert appeals_escalate_overdue(now=LATE_MORNING) == 0
    late.refresh_from_db()
    assert late.status == AppealStatus.REPLIED
    assert not late.supervised


def test_nothing_is_escalated_at_night(late):
    assert appeals_escalate_overdue(now=at("2026-03-10 23:30")) == 0
    assert appeals_escalate_overdue(now=at("2026-03-11 07:00")) == 0


def test_nothing_is_escalated_on_a_holiday(city):
    handler("escalation_handler", city.street)
    file_appeal(city.city, employer_uscc=city.employer.uscc, received_at=at("2026-09-14 10:00"))
    # Due 21 September; 1 October is a public holiday, 10 October (Saturday) is worked.
    assert appeals_escalate_overdue(now=at("2026-10-01 10:00")) == 0
    assert appeals_escalate_overdue(now=at("2026-10-10 10:00")) == 1


def test_service_hours_come_from_the_settings(settings):
    settings.APPEALS_SERVICE_HOURS = "09:00-12:00"
    assert in_service_hours(at("2026-03-10 11:59"))
    assert not in_service_hours(at("2026-03-10 12:00"))
    settings.APPEALS_SERVICE_HOURS = "noon"
    with pytest.raises(ImproperlyConfigured):
        in_service_hours(at("2026-03-10 11:00"))


@pytest.mark.django_db(transaction=True)
def test_the_command_reports_how_many_it_escalated(seeded):
    result = run_gonghui("appeals_escalate")
    assert result.returncode == 0, result.stderr
    assert "escalated" in result.stdout.lower() or "督办" in result.stdout
