"""The demo: providers and cases across every path and outcome, through the services; idempotent."""

from datetime import date

import pytest

from gonghui.legal.demo import PLANS, load_legal
from gonghui.legal.models import (
    Consultation,
    DisputeCase,
    DisputeOutcome,
    LawFirm,
    LegalAidCase,
    ResolutionPath,
)
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def test_the_demo_covers_every_path_and_outcome(city, city_admin):
    assert load_legal(count=len(PLANS) * 2, seed=7, today=TODAY) == len(PLANS) * 2
    assert LawFirm.objects.count() == 3
    cases = DisputeCase.objects.all()
    assert set(cases.values_list("chosen_path", flat=True)) == set(ResolutionPath.values)
    outcomes = set(cases.values_list("outcome", flat=True))
    assert outcomes == {*DisputeOutcome.values, ""}
    assert cases.filter(is_major=True, team__isnull=False).exists()
    assert Consultation.objects.count() == len(PLANS) * 4
    assert LegalAidCase.objects.exists()
    assert not OutboxMessage.objects.exists()  # past cases text nobody


def test_running_the_demo_again_adds_nothing(city, city_admin):
    load_legal(count=12, seed=7, today=TODAY)
    counts = (DisputeCase.objects.count(), Consultation.objects.count(), LawFirm.objects.count())
    assert load_legal(count=12, seed=7, today=TODAY) == 0
    assert counts == (
        DisputeCase.objects.count(), Consultation.objects.count(), LawFirm.objects.count()
    )  # fmt: skip
