"""The benefits demo: every kind of data, applications in every state, idempotent."""

from datetime import date

import pytest

from gonghui.benefits.demo import load_benefits
from gonghui.benefits.models import (
    Event,
    EventSignup,
    PaymentBatch,
    Segment,
    ServiceItem,
    ServiceProject,
    SignupStatus,
    SubsidyApplication,
)
from gonghui.benefits.tests.helpers import member_at
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture
def members(city):
    return [
        member_at(org)
        for org in (city.community, city.community, city.sibling_street)
        for _ in range(20)
    ]


def test_the_demo_loads_every_part_of_benefits(city, city_admin, members):
    assert load_benefits(count=40, seed=7, today=TODAY) == 40
    assert Segment.objects.count() == 6
    assert ServiceItem.objects.filter(on_card=True).exists()
    statuses = set(SubsidyApplication.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "returned", "approved", "rejected", "paid"}
    assert PaymentBatch.objects.filter(paid_at__isnull=False).exists()
    assert PaymentBatch.objects.filter(paid_at__isnull=True).exists()
    assert ServiceProject.objects.count() >= 6
    assert EventSignup.objects.filter(status=SignupStatus.WAITLISTED).exists()
    assert EventSignup.objects.filter(checked_in_at__isnull=False).exists()
    assert Event.objects.count() == 7
    assert not OutboxMessage.objects.exists()


def test_running_the_benefits_demo_again_adds_nothing(city, city_admin, members):
    load_benefits(count=20, seed=7, today=TODAY)
    counts = (
        SubsidyApplication.objects.count(),
        Event.objects.count(),
        ServiceItem.objects.count(),
    )
    assert load_benefits(count=20, seed=7, today=TODAY) == 0
    assert (
        SubsidyApplication.objects.count(),
        Event.objects.count(),
        ServiceItem.objects.count(),
    ) == counts
