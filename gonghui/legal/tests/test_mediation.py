"""Mediation centres and rooms are service points of gonghui.places: a case or a mediator gets
one of the two mediation kinds, from its own union's branch; the places pages show them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gonghui.legal.admin import MediatorForm
from gonghui.legal.models import DisputeCase, Mediator
from gonghui.legal.services import dispute_mediation_assign
from gonghui.legal.tests.conftest import make_dispute
from gonghui.places.models import PointKind, PointStatus, ServicePoint
from gonghui.places.tests.factories import ServicePointFactory
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(city):
    return ServicePointFactory(
        org=city.street, kind=PointKind.MEDIATION_ROOM, name="东华门街道调解室"
    )


@pytest.fixture
def centre(city):
    return ServicePointFactory(
        org=city.district, kind=PointKind.MEDIATION_CENTRE, name="东城区劳动争议调解中心"
    )


def _refusal(exc: pytest.ExceptionInfo[ValidationError], field: str = "place") -> str:
    return " ".join(exc.value.message_dict[field])


def test_a_case_is_given_a_mediation_room_that_is_a_service_point(city, street_officer, room):
    case = make_dispute(city.community)
    dispute_mediation_assign(user=street_officer, case=case, mediator=None, place=room)
    case.refresh_from_db()
    assert case.place == room
    assert list(room.dispute_cases.all()) == [case]


def test_the_case_page_assigns_a_mediator_with_the_mediators_room(city, street_officer, room):
    mediator = Mediator.objects.create(org=city.street, place=room, name="周调解员")
    case = make_dispute(city.community)
    client = logged_in(street_officer)
    page = client.get(reverse("legal:dispute", args=[case.pk])).content.decode()
    assert 'data-testid="mediation-form"' in page
    assert room.name in page
    client.post(
        reverse("legal:dispute_act", args=[case.pk, "mediation"]), {"mediator": mediator.pk}
    )
    case.refresh_from_db()
    assert (case.mediator, case.place) == (mediator, room)
    page = client.get(reverse("legal:dispute", args=[case.pk])).content.decode()
    assert "周调解员" in page
    assert "东华门街道调解室" in page


def test_a_service_point_that_is_no_mediation_place_is_refused(city, street_officer):
    library = ServicePointFactory(org=city.street, kind=PointKind.LIBRARY, name="东华门职工书屋")
    case = make_dispute(city.community)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dispute_mediation_assign(user=street_officer, case=case, mediator=None, place=library)
    assert _refusal(refused) == "东华门职工书屋 is not a mediation centre or room."
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        dispute_mediation_assign(user=street_officer, case=case, mediator=None, place=library)
    assert "不是调解中心或调解室" in _refusal(refused)
    case.refresh_from_db()
    assert case.place is None


def test_a_mediation_place_outside_the_cases_scope_is_refused(city, city_admin):
    elsewhere = ServicePointFactory(
        org=city.sibling_street, kind=PointKind.MEDIATION_ROOM, name="景山街道调解室"
    )
    case = make_dispute(city.community)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dispute_mediation_assign(user=city_admin, case=case, mediator=None, place=elsewhere)
    assert "景山街道调解室 is outside the scope of" in _refusal(refused)
    case.refresh_from_db()
    assert case.place is None


def test_the_centres_above_the_case_are_on_its_branch_and_a_closed_one_is_refused(
    city, street_officer, centre
):
    case = make_dispute(city.community)
    dispute_mediation_assign(user=street_officer, case=case, mediator=None, place=centre)
    assert DisputeCase.objects.get(pk=case.pk).place == centre
    ServicePoint.objects.filter(pk=centre.pk).update(status=PointStatus.CLOSED)
    centre.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dispute_mediation_assign(user=street_officer, case=case, mediator=None, place=centre)
    assert _refusal(refused) == "东城区劳动争议调解中心 is closed down."


def test_a_mediator_of_another_branch_is_refused(city, street_officer):
    far = Mediator.objects.create(org=city.other_district, name="吴调解员")
    case = make_dispute(city.community)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        dispute_mediation_assign(user=street_officer, case=case, mediator=far, place=None)
    assert "吴调解员 mediates outside the scope of" in _refusal(refused, "mediator")


def test_the_case_page_offers_only_its_branchs_mediation_places(city, street_officer, room):
    ServicePointFactory(org=city.sibling_street, kind=PointKind.MEDIATION_ROOM, name="景山调解室")
    ServicePointFactory(org=city.street, kind=PointKind.LIBRARY, name="东华门职工书屋")
    case = make_dispute(city.community)
    client = logged_in(street_officer)
    page = client.get(reverse("legal:dispute", args=[case.pk])).content.decode()
    assert room.name in page
    assert "景山调解室" not in page
    assert "东华门职工书屋" not in page


def test_the_admin_refuses_a_mediators_place_of_another_kind_or_branch(city, room):
    library = ServicePointFactory(org=city.street, kind=PointKind.LIBRARY)
    far = ServicePointFactory(org=city.other_district, kind=PointKind.MEDIATION_CENTRE)
    for place in (library, far):
        form = MediatorForm(data={"org": city.street.pk, "name": "周调解员", "place": place.pk})
        assert not form.is_valid()
        assert "place" in form.errors
    form = MediatorForm(
        data={"org": city.street.pk, "name": "周调解员", "place": room.pk, "active": "on"}
    )
    assert form.is_valid(), form.errors
    assert form.save().place == room


def test_the_places_pages_show_a_mediation_centre_in_scope_only(
    city, district_officer, other_district_officer, centre
):
    client = logged_in(district_officer)
    assert centre.name in client.get(reverse("places:list")).content.decode()
    listed = client.get(reverse("places:list"), {"kind": PointKind.MEDIATION_CENTRE})
    assert centre.name in listed.content.decode()
    assert client.get(reverse("places:detail", args=[centre.pk])).status_code == 200
    outsider = logged_in(other_district_officer)
    assert centre.name not in outsider.get(reverse("places:list")).content.decode()
    assert outsider.get(reverse("places:detail", args=[centre.pk])).status_code == 404
    found = Client().get(
        "/api/v1/places", {"near": f"{centre.lat},{centre.lng}", "kind": "mediation_centre"}
    )
    assert found.status_code == 200
    assert [p["name"] for p in found.json()["items"]] == [centre.name]  # workers find it too


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_mediation_places_to_service_points(city):
    before, after = [("legal", "0001_initial")], [("legal", "0004_drop_mediationplace")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    station = ServicePointFactory(org=city.street, lat=39.9151, lng=116.4102)
    place = old.get_model("legal", "MediationPlace").objects.create(
        org_id=city.street.pk, name="东华门街道调解室", kind="room", address="东华门大街1号"
    )
    centre = old.get_model("legal", "MediationPlace").objects.create(
        org_id=city.district.pk, name="东城区劳动争议调解中心", kind="centre"
    )
    mediator = old.get_model("legal", "Mediator").objects.create(
        org_id=city.street.pk, place_id=place.pk, name="周调解员"
    )
    case = old.get_model("legal", "DisputeCase").objects.create(
        code="ZY2026000001", org_id=city.community.pk, employer_name="某公司", summary="欠薪",
        dispute_type="rights", place_id=centre.pk,
        created_at=timezone.now(),
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    room = ServicePoint.objects.get(name="东华门街道调解室")
    assert (room.kind, room.org_id, room.address) == (
        "mediation_room",
        city.street.pk,
        "东华门大街1号",
    )
    assert (room.lat, room.lng) == (station.lat, station.lng)  # the street's own point
    assert room.status == PointStatus.ACTIVE
    moved = ServicePoint.objects.get(name="东城区劳动争议调解中心")
    assert (moved.kind, moved.org_id) == ("mediation_centre", city.district.pk)
    assert moved.address  # the union's address or name, never empty
    assert {room.code, moved.code} == {f"MED-{place.pk:06d}", f"MED-{centre.pk:06d}"}
    assert Mediator.objects.get(pk=mediator.pk).place == room
    assert DisputeCase.objects.get(pk=case.pk).place == moved

    # Backwards, the points stay and the links get a MediationPlace again.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    back = old.get_model("legal", "Mediator").objects.get(pk=mediator.pk).place
    assert (back.name, back.kind, back.org_id) == ("东华门街道调解室", "room", city.street.pk)
    assert old.get_model("legal", "DisputeCase").objects.get(pk=case.pk).place.kind == "centre"
    assert ServicePoint.objects.filter(pk__in=[room.pk, moved.pk]).count() == 2
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
