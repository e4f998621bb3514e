"""The nearest search agrees with a brute-force scan; the public API's answers and limits."""

import json

import pytest
from django.core.cache import cache  # noqa: F401  (the rate limits count in the database)
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.ratelimit_settings import Rate
from gonghui.places.geo import bounding_box, haversine_m
from gonghui.places.hours import parse_hours
from gonghui.places.models import PointKind, PointStatus, ServicePoint
from gonghui.places.selectors import nearest_points
from gonghui.places.tests.factories import ServicePointFactory

CENTRE = (39.904, 116.407)


def brute_force(points, lat, lng, limit):
    ranked = sorted(points, key=lambda p: (haversine_m(lat, lng, p.lat, p.lng), p.pk))
    return [p.pk for p in ranked[:limit]]


# Mostly around Beijing (dense, many near ties), some anywhere on the globe.
beijing = st.tuples(st.floats(39.4, 40.5), st.floats(115.4, 117.5))
anywhere = st.tuples(st.floats(-85, 85), st.floats(-180, 180))
coordinates = st.one_of(beijing, beijing, anywhere)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    points=st.lists(coordinates, min_size=1, max_size=60),
    origin=coordinates,
    limit=st.integers(1, 25),
)
def test_nearest_search_returns_the_brute_force_order(city, points, origin, limit):
    ServicePoint.objects.all().delete()
    created = [
        ServicePointFactory(org=city.community, lat=round(lat, 6), lng=round(lng, 6))
        for lat, lng in points
    ]
    found = nearest_points(lat=origin[0], lng=origin[1], limit=limit)
    assert [n.point.pk for n in found] == brute_force(created, *origin, limit)
    for n in found:
        assert n.distance_m == haversine_m(*origin, n.point.lat, n.point.lng)


@given(
    origin=anywhere, radius=st.floats(1, 5_000_000), bearing=st.floats(0, 1), share=st.floats(0, 1)
)
def test_every_point_within_the_radius_lies_inside_the_box(origin, radius, bearing, share):
    import math

    # A point at distance share·radius in direction bearing (destination formula).
    delta = share * radius / 6_371_008.8
    theta = bearing * 2 * math.pi
    phi1, lmb1 = math.radians(origin[0]), math.radians(origin[1])
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    lat, lng = math.degrees(phi2), (math.degrees(lmb2) + 540) % 360 - 180
    box = bounding_box(*origin, radius)
    assert box.min_lat <= lat <= box.max_lat
    if box.min_lng is not None:
        assert box.min_lng <= lng <= box.max_lng


@pytest.mark.django_db
def test_inactive_points_are_never_found(city):
    open_point = ServicePointFactory(org=city.community, lat=39.95, lng=116.45)
    ServicePointFactory(org=city.community, lat=CENTRE[0], lng=CENTRE[1], status=PointStatus.CLOSED)
    ServicePointFactory(
        org=city.community, lat=CENTRE[0], lng=CENTRE[1], status=PointStatus.SUSPENDED
    )
    assert [n.point for n in nearest_points(lat=CENTRE[0], lng=CENTRE[1], limit=5)] == [open_point]


# --- the API ------------------------------------------------------------------------------------


def _get(query: str, **headers):
    return Client().get(f"/api/v1/places{query}", **headers)


@pytest.mark.django_db
def test_the_api_lists_the_nearest_with_distance_and_open_now(city):
    far = ServicePointFactory(org=city.community, lat=40.0, lng=116.407, name="远处驿站")
    near = ServicePointFactory(
        org=city.community, lat=39.905, lng=116.407, name="近处驿站",
        hours=parse_hours("2000-01-01 closed").to_json(),
    )  # fmt: skip
    response = _get("?near=39.904,116.407&limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert set(first) == {"id", "name", "kind", "address", "lat", "lng", "distance_m", "open_now"}
    assert (first["id"], second["id"]) == (near.pk, far.pk)
    assert first["distance_m"] == pytest.approx(111.2, abs=0.5)
    assert first["open_now"] is False  # no weekly hours given: never open
    assert second["open_now"] is True  # 24h


@pytest.mark.django_db
def test_open_now_and_kind_filter_the_nearest(city):
    ServicePointFactory(org=city.community, lat=39.9041, lng=116.407, hours={})
    ServicePointFactory(org=city.community, lat=39.9042, lng=116.407, kind=PointKind.LACTATION_ROOM)
    wanted = ServicePointFactory(org=city.community, lat=39.95, lng=116.407)
    body = _get("?near=39.904,116.407&open_now=1&kind=service_station&limit=5").json()
    assert [item["id"] for item in body["items"]] == [wanted.pk]


@pytest.mark.django_db
def test_without_near_the_api_pages_with_the_total_count(city):
    points = [ServicePointFactory(org=city.community) for _ in range(5)]
    ServicePointFactory(org=city.community, status=PointStatus.CLOSED)
    body = _get("?page=2&page_size=2").json()
    assert body["count"] == 5
    assert [item["id"] for item in body["items"]] == [points[2].pk, points[3].pk]
    assert all(item["distance_m"] is None for item in body["items"])


@pytest.mark.django_db
@pytest.mark.parametrize("near", ["abc", "91,10", "39.9,181", "39.9", "nan,1", "39.9,116.4,1"])
def test_a_bad_position_is_refused_naming_the_parameter(near):
    response = _get(f"?near={near}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "near"]


@given(lat=st.floats(-90, 90), lng=st.floats(-180, 180))
def test_every_position_in_range_matches_the_pattern(lat, lng):
    import re

    from gonghui.places.api import NEAR_PATTERN

    assert re.fullmatch(NEAR_PATTERN, f"{lat:.6f},{lng:.6f}".replace("-0.000000", "0.000000"))


@pytest.mark.django_db
def test_the_api_is_public_and_shows_no_managing_union(city):
    ServicePointFactory(org=city.community)
    text = json.dumps(_get("?near=39.9,116.4").json(), ensure_ascii=False)
    assert city.community.name not in text
    assert city.community.code not in text


@pytest.mark.django_db
def test_the_api_is_rate_limited_per_address(city, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "places_near.address": Rate(3, 3600)}
    statuses = [_get("?near=39.9,116.4").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "retry_after" in _get("").json()


@pytest.mark.django_db
def test_the_limit_is_bounded(city):
    with override_settings():
        assert _get("?near=39.9,116.4&limit=100000").status_code == 422


@pytest.mark.django_db
def test_open_now_follows_todays_holiday_in_the_calendar(city):
    from django.utils import timezone

    from gonghui.core.models import CalendarDay, DayKind

    point = ServicePointFactory(
        org=city.community, lat=39.904, lng=116.407, hours=parse_hours("24h; 节假日 休息").to_json()
    )
    assert _get("?near=39.904,116.407").json()["items"][0]["open_now"] is True
    CalendarDay.objects.update_or_create(
        date=timezone.localdate(), defaults={"kind": DayKind.HOLIDAY}
    )
    item = _get("?near=39.904,116.407").json()["items"][0]
    assert (item["id"], item["open_now"]) == (point.pk, False)
    assert _get("?near=39.904,116.407&open_now=1").json()["items"] == []
