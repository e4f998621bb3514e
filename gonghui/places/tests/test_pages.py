"""Staff pages of service points (scoped) and the public portal pages."""

import re

import pytest
from django.urls import reverse

from gonghui.members.tests.factories import MemberFactory
from gonghui.places.models import PointKind, PointVisit, ServicePoint
from gonghui.places.tests.factories import ServicePointFactory, slot_of, venue_at
from gonghui.portal.auth import SESSION_KEY
from gonghui.testing import logged_in

PII = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")


def _portal_client(client, member):
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    return client


@pytest.mark.django_db
def test_the_list_shows_the_points_of_the_subtree_only(city, point, foreign_point, street_officer):
    body = logged_in(street_officer).get(reverse("places:list")).content.decode()
    assert point.name in body
    assert foreign_point.name not in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["places:detail", "places:edit", "places:visits"])
def test_an_officer_outside_the_subtree_gets_404_on_a_points_pages(
    city, point, sibling_street_officer, name
):
    response = logged_in(sibling_street_officer).get(reverse(name, args=[point.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_detail_page_shows_hours_open_now_and_visit_counts(city, point, street_officer):
    PointVisit.objects.create(point=point, visited_at=point.created_at, people=4, source="staff")
    body = logged_in(street_officer).get(reverse("places:detail", args=[point.pk])).content.decode()
    assert "每天 00:00-24:00" in body
    assert 'data-testid="open-now"' in body
    assert ">4<" in body


@pytest.mark.django_db
def test_editing_saves_structured_hours_and_amenities(city, point, street_officer):
    data = {
        "code": point.code, "name": "多福巷职工之家", "kind": PointKind.WORKERS_HOME,
        "org_code": city.community.code, "address": "多福巷2号", "region_code": "110101",
        "lat": "39.91", "lng": "116.41", "hours": "周一至周五 22:00-06:00；节假日 休息",
        "amenities": ["toilet", "wifi"], "services": "法律咨询\n心理疏导",
        "contact": "010-65120000",
        "status": "active", "grade": "2",
    }  # fmt: skip
    response = logged_in(street_officer).post(reverse("places:edit", args=[point.pk]), data)
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.hours["weekly"][0] == [[1320, 360]]
    assert point.hours["holidays"] == "closed"
    assert point.amenities == ["toilet", "wifi"]
    assert point.services == ["法律咨询", "心理疏导"]
    assert point.grade == 2


@pytest.mark.django_db
def test_a_point_cannot_be_moved_to_a_union_outside_the_scope(city, street_officer):
    data = {
        "code": "NEW-1", "name": "新站", "kind": "canteen", "org_code": city.other_community.code,
        "address": "某地", "lat": "39.9", "lng": "116.4", "status": "active", "grade": "0",
    }  # fmt: skip
    response = logged_in(street_officer).post(reverse("places:new"), data)
    assert response.status_code == 200
    assert not ServicePoint.objects.filter(code="NEW-1").exists()


@pytest.mark.django_db
def test_a_bad_opening_hours_text_is_explained(city, point, street_officer):
    data = {"code": point.code, "name": "x", "kind": "canteen", "org_code": city.community.code,
            "address": "x", "lat": "39.9", "lng": "116.4", "hours": "周一 25:00-26:00",
            "status": "active", "grade": "0"}  # fmt: skip
    body = logged_in(street_officer).post(reverse("places:edit", args=[point.pk]), data)
    assert "25:00-26:00" in body.content.decode()


@pytest.mark.django_db
def test_staff_count_walk_in_visits(city, point, street_officer):
    logged_in(street_officer).post(reverse("places:visit_record", args=[point.pk]), {"people": 7})
    assert PointVisit.objects.get(point=point).people == 7


@pytest.mark.django_db
def test_a_readonly_role_cannot_edit(city, point):
    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update
    from gonghui.testing import PASSWORD

    reader = user_create_or_update(
        username="reader", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )
    assert logged_in(reader).get(reverse("places:edit", args=[point.pk])).status_code == 403


# --- portal -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_finder_lists_the_nearest_with_distance_from_a_chosen_centre(city, client):
    centre = ServicePointFactory(
        org=city.district, kind=PointKind.SERVICE_CENTRE, name="东城区职工服务中心",
        lat=39.93, lng=116.42,
    )  # fmt: skip
    near = ServicePointFactory(org=city.community, name="甲号驿站", lat=39.931, lng=116.42)
    ServicePointFactory(org=city.community, name="乙号驿站", lat=40.2, lng=116.42)
    body = client.get(reverse("places:portal_nearest"), {"centre": centre.pk}).content.decode()
    listing = body[body.index('data-testid="nearest"') :]
    assert (
        listing.index("东城区职工服务中心") < listing.index("甲号驿站") < listing.index("乙号驿站")
    )
    assert "111 m" in body or "111 米" in body
    assert near.name in body


@pytest.mark.django_db
def test_the_finder_uses_the_browsers_position_without_inline_script(city, client):
    ServicePointFactory(org=city.community, name="近站", lat=39.904, lng=116.407)
    response = client.get(reverse("places:portal_nearest"), {"near": "39.904,116.407"})
    body = response.content.decode()
    assert "近站" in body
    assert "places-nearest.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert " onclick=" not in body


@pytest.mark.django_db
def test_a_closed_point_has_no_public_page(city, client):
    point = ServicePointFactory(org=city.community, status="closed")
    assert client.get(reverse("places:portal_point", args=[point.pk])).status_code == 404


@pytest.mark.django_db
def test_a_member_checks_in_once_a_day_and_is_counted(city, client, point):
    member = MemberFactory(org=city.community)
    _portal_client(client, member)
    url = reverse("places:portal_check_in", args=[point.pk])
    client.post(url)
    client.post(url)
    visit = PointVisit.objects.get(point=point)
    assert (visit.member, visit.source, visit.people) == (member, "portal", 1)


@pytest.mark.django_db
def test_checking_in_needs_a_sign_in(city, client, point):
    response = client.post(reverse("places:portal_check_in", args=[point.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert not PointVisit.objects.exists()


@pytest.mark.django_db
def test_a_member_books_and_cancels_on_the_portal(city, client):
    member = MemberFactory(org=city.community)
    slot = slot_of(venue_at(city.community))
    _portal_client(client, member)
    venue_page = client.get(reverse("places:portal_venue", args=[slot.venue_id])).content.decode()
    assert 'data-testid="book"' in venue_page
    client.post(reverse("places:portal_book", args=[slot.pk]))
    booking = member.venue_bookings.get()
    home = client.get(reverse("portal:home")).content.decode()
    assert slot.venue.name in home
    client.post(reverse("places:portal_booking_cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.django_db
def test_a_member_cannot_cancel_someone_elses_booking(city, client):
    from gonghui.places.services import booking_create

    owner, intruder = MemberFactory.create_batch(2, org=city.community)
    booking = booking_create(member=owner, slot_id=slot_of(venue_at(city.community)).pk)
    _portal_client(client, intruder)
    response = client.post(reverse("places:portal_booking_cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "booked"


@pytest.mark.django_db
def test_no_staff_or_portal_page_shows_a_full_phone(city, client, point, street_officer):
    from gonghui.places.services import booking_create

    member = MemberFactory(org=city.community)
    venue = venue_at(city.community)
    booking_create(member=member, slot_id=slot_of(venue).pk)
    staff = logged_in(street_officer)
    pages = [staff.get(reverse("places:venue", args=[venue.pk])),
             staff.get(reverse("places:bookings")),
             staff.get(reverse("places:visits", args=[point.pk]))]  # fmt: skip
    _portal_client(client, member)
    pages += [
        client.get(reverse("portal:home")),
        client.get(reverse("places:portal_venue", args=[venue.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert not PII.search(page.content.decode())
