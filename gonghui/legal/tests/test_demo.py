"""The demo: providers and cases across every path and outcome, through the services; idempotent."""

import re
from datetime import date

import pytest
from django.urls import reverse

from gonghui.legal.demo import PLANS, load_legal
from gonghui.legal.models import (
    CaseStep,
    Consultation,
    DisputeCase,
    DisputeOutcome,
    LawFirm,
    LegalAidCase,
    Mediator,
    ResolutionPath,
)
from gonghui.legal.services import on_branch
from gonghui.notify.models import OutboxMessage
from gonghui.orgs.models import OrgKind, UnionOrg
from gonghui.places.demo import load_places
from gonghui.places.models import MEDIATION_KINDS, PointKind, PointStatus, ServicePoint
from gonghui.places.tests.factories import ServicePointFactory
from gonghui.testing import logged_in

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


def _mediated() -> list[DisputeCase]:
    """The cases whose path went through mediation (a mediation step, whatever came of it)."""
    cases = DisputeCase.objects.filter(steps__path=ResolutionPath.MEDIATION).distinct()
    return list(cases.select_related("org", "mediator__org", "place__org"))


def test_every_mediated_case_has_a_mediator_and_a_place_on_its_branch(city, city_admin):
    load_legal(count=len(PLANS) * 2, seed=7, today=TODAY)
    mediated = _mediated()
    # mediated ×5, unperformed, award, litigation, open mediation, open arbitration: 10 of 16
    assert len(mediated) == 20
    for case in mediated:
        assert case.mediator is not None, case.code
        assert case.place is not None, case.code
        assert case.place.kind in MEDIATION_KINDS
        assert case.place.status != PointStatus.CLOSED
        assert on_branch(case.place.org, case.org)
        assert on_branch(case.mediator.org, case.org)
        # the nearest mediator: every case of the demo city lies under a street with a room
        assert case.mediator.org.kind == OrgKind.STREET
        assert case.place == case.mediator.place
        assert CaseStep.objects.get(case=case, path=ResolutionPath.MEDIATION).who == (
            case.mediator.name
        )
    others = DisputeCase.objects.exclude(pk__in=[c.pk for c in mediated])
    assert others.exists()
    assert not others.filter(mediator__isnull=False).exists()
    assert not others.filter(place__isnull=False).exists()


def test_the_case_page_shows_the_demo_mediator_and_place(city, city_admin):
    load_legal(count=len(PLANS), seed=7, today=TODAY)
    case = _mediated()[0]
    assert case.mediator is not None
    assert case.place is not None
    page = logged_in(city_admin).get(reverse("legal:dispute", args=[case.pk])).content.decode()
    shown = re.search(r'data-testid="mediation">(.*?)</dd>', page, re.S)
    assert shown is not None
    assert case.mediator.name in shown.group(1)
    assert case.place.name in shown.group(1)


def test_a_second_run_leaves_the_mediation_of_the_cases_as_it_was(city, city_admin):
    load_legal(count=len(PLANS) * 2, seed=7, today=TODAY)

    def state() -> tuple[object, ...]:
        return (
            list(DisputeCase.objects.order_by("pk").values_list("pk", "mediator", "place")),
            list(Mediator.objects.order_by("pk").values_list("pk", "org", "place")),
            ServicePoint.objects.count(),
            CaseStep.objects.count(),
        )

    before = state()
    assert load_legal(count=len(PLANS) * 2, seed=7, today=TODAY) == 0
    assert state() == before


def test_a_closed_down_room_is_not_where_the_demo_mediates(city, city_admin):
    closed = ServicePointFactory(
        org=city.street, kind=PointKind.MEDIATION_ROOM, name="东华门旧调解室",
        status=PointStatus.CLOSED,
    )  # fmt: skip
    load_legal(count=len(PLANS) * 2, seed=7, today=TODAY)
    assert not Mediator.objects.filter(place=closed).exists()
    assert not DisputeCase.objects.filter(place=closed).exists()
    street_rooms = ServicePoint.objects.filter(org=city.street, kind=PointKind.MEDIATION_ROOM)
    assert street_rooms.exclude(pk=closed.pk).get().status == PointStatus.ACTIVE
    assert all(case.place is not None for case in _mediated())
