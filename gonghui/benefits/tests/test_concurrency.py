"""Reviewers approving at the same moment never overshoot the budget; members signing up at
the same moment never exceed an event's capacity (each runs many threads, own connections)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gonghui.benefits.models import SignupStatus, SubsidyStatus
from gonghui.benefits.services.events import event_sign_up
from gonghui.benefits.services.subsidies import committed_amount, subsidy_decide
from gonghui.benefits.tests.helpers import application_at, event_at, member_at, programme_at

pytestmark = pytest.mark.django_db(transaction=True)


def _workers() -> int:
    return 8 if connection.vendor == "sqlite" else 16


def test_concurrent_approvals_never_overshoot_the_budget(city, street_officer):
    programme = programme_at(city.city, budget="11000")  # room for five level-1 subsidies
    applications = [application_at(city.community, programme=programme) for _ in range(16)]

    def approve(application):
        try:
            subsidy_decide(user=street_officer, application=application, decision="approve")
            return "approved"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        outcomes = list(pool.map(approve, applications))

    assert outcomes.count("approved") == 5
    assert programme.applications.filter(status=SubsidyStatus.APPROVED).count() == 5
    assert committed_amount(programme) == 10000


def test_concurrent_sign_ups_never_exceed_capacity(city):
    event = event_at(city.street, capacity=7)
    members = [member_at(city.community) for _ in range(24)]

    def sign_up(member):
        try:
            return event_sign_up(event=event, member=member).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        statuses = list(pool.map(sign_up, members))

    assert statuses.count(SignupStatus.CONFIRMED) == 7
    assert statuses.count(SignupStatus.WAITLISTED) == 17
    assert event.signups.filter(status=SignupStatus.CONFIRMED).count() == 7
