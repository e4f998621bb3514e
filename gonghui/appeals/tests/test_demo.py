"""The demo generator: 18 months of appeals through the real services, idempotent."""

from datetime import date

import pytest

from gonghui.appeals.demo import load_appeals
from gonghui.appeals.models import Appeal
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def test_the_demo_spreads_appeals_over_statuses_and_peaks_before_spring_festival(city, city_admin):
    assert load_appeals(count=240, seed=7, today=TODAY) == 240
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert {"closed", "replied", "in_progress"} <= statuses
    assert len(statuses) >= 5
    wage = Appeal.objects.filter(category__code="wage_arrears")
    january = wage.filter(received_at__year=2026, received_at__month=1).count()
    july = wage.filter(received_at__year=2026, received_at__month=7).count()
    # January (before the 2026 Spring Festival, 17 February) beats a summer month.
    assert january > 2 * july
    first = Appeal.objects.order_by("received_at").first()
    assert first.received_at.date() >= date(2025, 5, 1)
    assert not OutboxMessage.objects.exists()  # past appeals text nobody


def test_running_the_demo_again_adds_nothing(city, city_admin):
    load_appeals(count=30, seed=7, today=TODAY)
    assert load_appeals(count=30, seed=7, today=TODAY) == 0
    assert Appeal.objects.count() == 30
