"""The demo network: every kind, inside the districts, idempotent."""

from collections import Counter

import pytest
from django.utils import timezone

from gonghui.members.tests.factories import MemberFactory
from gonghui.places.demo import DISTRICTS, load_places
from gonghui.places.geo import haversine_m
from gonghui.places.models import Booking, PointKind, ServicePoint, Venue, VenueSlot

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_demo_places_points_of_every_kind_near_their_district(city, city_admin):
    MemberFactory.create_batch(5, org=city.community)
    result = load_places(seed=3, count=120, today=TODAY)
    assert result.rejected == 0, result.errors[:3]
    points = list(ServicePoint.objects.select_related("org"))
    assert len(points) == 1 + 2 + 1 + 120  # city, two districts, the cultural palace, stations
    kinds = Counter(p.kind for p in points)
    assert {PointKind.OUTDOOR_STATION, PointKind.LACTATION_ROOM, PointKind.CULTURAL_PALACE} <= set(
        kinds
    )
    for point in points:
        _name, lat, lng, _spread = DISTRICTS[point.region_code]
        assert haversine_m(lat, lng, point.lat, point.lng) < 20_000
    assert any(p.hours["weekly"][0] == [[0, 1440]] for p in points)  # 24h stations
    assert any(r and r[0][1] < r[0][0] for p in points for r in [p.hours["weekly"][0]])  # overnight
    assert Venue.objects.exists()
    assert VenueSlot.objects.exists()
    assert Booking.objects.exists()


def test_running_the_demo_again_adds_nothing(city, city_admin):
    MemberFactory.create_batch(3, org=city.community)
    load_places(seed=3, count=40, today=TODAY)
    counts = (ServicePoint.objects.count(), VenueSlot.objects.count(), Booking.objects.count())
    again = load_places(seed=3, count=40, today=TODAY)
    assert (again.created, again.updated) == (0, 0)
    assert (
        ServicePoint.objects.count(),
        VenueSlot.objects.count(),
        Booking.objects.count(),
    ) == counts
