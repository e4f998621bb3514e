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
    Mediator,
    ResolutionPath,
)
from gonghui.notify.models import OutboxMessage
from gonghui.orgs.models import OrgKind, UnionOrg
from gonghui.places.demo import load_places
from gonghui.places.models import MEDIATION_KINDS, PointKind, ServicePoint

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


def _rooms_per_street() -> dict[str, int]:
    return {
        street.name: ServicePoint.objects.filter(org=street, kind=PointKind.MEDIATION_ROOM).count()
        for street in UnionOrg.objects.filter(kind=OrgKind.STREET)
    }


def test_mediation_centres_and_rooms_are_service_points_with_their_mediators(city, city_admin):
    load_legal(count=2, seed=7, today=TODAY)
    centres = ServicePoint.objects.filter(kind=PointKind.MEDIATION_CENTRE)
    assert {p.org for p in centres} == {city.city, city.district, city.other_district}
    assert set(_rooms_per_street().values()) == {1}
    for mediator in Mediator.objects.select_related("place"):
        assert mediator.place is not None
        assert mediator.place.kind in MEDIATION_KINDS
        assert mediator.place.org_id == mediator.org_id
    points = ServicePoint.objects.count()
    load_legal(count=2, seed=7, today=TODAY)
    assert ServicePoint.objects.count() == points


def test_the_places_demo_adds_no_second_mediation_room_to_a_street(city, city_admin):
    load_legal(count=2, seed=7, today=TODAY)
    load_places(seed=3, count=200, today=TODAY)
    assert set(_rooms_per_street().values()) == {1}
    again = load_places(seed=3, count=200, today=TODAY)
    assert (again.created, again.updated) == (0, 0)


def test_the_legal_demo_keeps_the_mediation_rooms_the_places_demo_made(city, city_admin):
    load_places(seed=3, count=200, today=TODAY)
    made = set(ServicePoint.objects.filter(kind=PointKind.MEDIATION_ROOM))
    before = _rooms_per_street()
    assert made  # the places demo makes some rooms of its own
    load_legal(count=2, seed=7, today=TODAY)
    assert _rooms_per_street() == {street: n or 1 for street, n in before.items()}
    assert made <= set(ServicePoint.objects.filter(kind=PointKind.MEDIATION_ROOM))
    assert Mediator.objects.filter(place__in=made).exists()
