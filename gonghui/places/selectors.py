"""Reads of the service network: scoped staff lists and the public nearest search."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.models import CalendarDay
from gonghui.core.scoping import scoped
from gonghui.members.models import Member
from gonghui.places.geo import HALF_CIRCUMFERENCE_M, bounding_box, haversine_m
from gonghui.places.hours import Hours
from gonghui.places.models import (
    Booking,
    BookingStatus,
    PlaceImport,
    PointStatus,
    PointVisit,
    ServicePoint,
    Venue,
    VenueSlot,
)


def holiday_calendar(first: date, last: date) -> dict[date, str]:
    """The listed holidays and adjusted working days from `first` to `last` (one query)."""
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return {day: str(kind) for day, kind in rows}


def calendar_around(at: datetime) -> dict[date, str]:
    """What `Hours.is_open(at, …)` needs: the day of `at` and the day before."""
    return holiday_calendar(at.date() - timedelta(days=1), at.date())


def is_open_now(point: ServicePoint, *, at: datetime | None = None) -> bool:
    at = timezone.localtime(at)
    return point.status == PointStatus.ACTIVE and Hours.from_json(point.hours).is_open(
        at, calendar_around(at)
    )


# --- staff --------------------------------------------------------------------------------------


def point_list(
    *, user: Any, q: str | None = None, kind: str | None = None, status: str | None = None,
    org_code: str | None = None,
) -> QuerySet[ServicePoint]:  # fmt: skip
    points = scoped(ServicePoint.objects.select_related("org"), user=user)
    if q:
        points = points.filter(Q(name__contains=q) | Q(code=q) | Q(address__contains=q))
    if kind:
        points = points.filter(kind=kind)
    if status:
        points = points.filter(status=status)
    if org_code:
        points = points.filter(org__code=org_code)
    return points.order_by("code")


def point_get(*, user: Any, pk: int) -> ServicePoint | None:
    return scoped(ServicePoint.objects.select_related("org"), user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class VisitCounts:
    total: int
    portal: int
    last_30_days: int


def visit_counts(point: ServicePoint, *, today: date | None = None) -> VisitCounts:
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=29), datetime.min.time()))
    counts = PointVisit.objects.filter(point=point).aggregate(
        total=Sum("people"),
        portal=Sum("people", filter=Q(source="portal")),
        recent=Sum("people", filter=Q(visited_at__gte=since)),
    )
    return VisitCounts(counts["total"] or 0, counts["portal"] or 0, counts["recent"] or 0)


def visit_list(*, user: Any, point: ServicePoint) -> QuerySet[PointVisit]:
    return scoped(PointVisit.objects.filter(point=point), user=user).order_by("-visited_at")


def point_import_list(*, user: Any) -> QuerySet[PlaceImport]:
    return scoped(PlaceImport.objects.select_related("created_by"), user=user).order_by("-pk")


def venue_get(*, user: Any, pk: int) -> Venue | None:
    return scoped(Venue.objects.select_related("point__org"), user=user).filter(pk=pk).first()


def slots_with_counts(venue: Venue, *, since: datetime) -> QuerySet[VenueSlot]:
    return (
        VenueSlot.objects.filter(venue=venue, ends_at__gt=since)
        .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)))
        .order_by("starts_at")
    )


def booking_list(*, user: Any, venue: Venue | None = None) -> QuerySet[Booking]:
    bookings = scoped(Booking.objects.select_related("slot__venue__point", "member"), user=user)
    if venue is not None:
        bookings = bookings.filter(slot__venue=venue)
    return bookings.order_by("-slot__starts_at", "pk")


def booking_get(*, user: Any, pk: int) -> Booking | None:
    return (
        scoped(Booking.objects.select_related("slot__venue__point"), user=user)
        .filter(pk=pk)
        .first()
    )


# --- public -------------------------------------------------------------------------------------


def public_points(*, kind: str | None = None) -> QuerySet[ServicePoint]:
    """Active points, the only ones workers are shown."""
    points = ServicePoint.objects.filter(status=PointStatus.ACTIVE)
    if kind:
        points = points.filter(kind=kind)
    return points


@dataclass(frozen=True)
class Nearby:
    point: ServicePoint
    distance_m: float
    open_now: bool


_NEAR_FIELDS = ("id", "code", "name", "kind", "lat", "lng", "hours", "address", "status")


def nearest_points(
    *, lat: float, lng: float, limit: int, kind: str | None = None, open_now: bool = False,
    at: datetime | None = None,
) -> list[Nearby]:  # fmt: skip
    """The `limit` active points nearest to (lat, lng), nearest first (ties by id).

    A box around the point (an index range on latitude, then longitude) keeps the candidates
    few; only those within the box's inscribed circle are certain to be nearer than anything
    outside it, so the radius doubles until the circle holds `limit` points (or the whole
    globe). Each candidate is then measured by haversine, and `open_now` filters on the
    structured hours under the holiday calendar.
    """
    at = timezone.localtime(at)
    calendar = calendar_around(at)
    base = public_points(kind=kind).only(*_NEAR_FIELDS)
    radius = float(settings.PLACES_NEAR_START_M)
    while True:
        box = bounding_box(lat, lng, radius)
        candidates = base.filter(lat__gte=box.min_lat, lat__lte=box.max_lat)
        if box.min_lng is not None:
            candidates = candidates.filter(lng__gte=box.min_lng, lng__lte=box.max_lng)
        found: list[tuple[float, int, ServicePoint, bool]] = []
        for point in candidates.iterator(chunk_size=2000):
            distance = haversine_m(lat, lng, point.lat, point.lng)
            if distance > radius:
                continue  # in the box's corner: something outside the box may be nearer
            opened = Hours.from_json(point.hours).is_open(at, calendar)
            if open_now and not opened:
                continue
            found.append((distance, point.pk, point, opened))
        if len(found) >= limit or radius >= HALF_CIRCUMFERENCE_M:
            break
        # Few found: grow faster the fewer there are (density is roughly uniform locally).
        radius *= 2 if found else 4
    found.sort(key=lambda item: (item[0], item[1]))
    return [Nearby(point, distance, opened) for distance, _pk, point, opened in found[:limit]]


# --- the worker's own -----------------------------------------------------------------------------


def member_bookings(*, member: Member, upcoming_only: bool = True) -> QuerySet[Booking]:
    bookings = Booking.objects.filter(member=member).select_related("slot__venue__point")
    if upcoming_only:
        bookings = bookings.filter(slot__ends_at__gt=timezone.now(), status=BookingStatus.BOOKED)
    return bookings.order_by("slot__starts_at")


def bookable_venues() -> QuerySet[Venue]:
    return (
        Venue.objects.filter(active=True, point__status=PointStatus.ACTIVE)
        .select_related("point")
        .order_by("point__name", "name")
    )


def public_venue(pk: int) -> Venue | None:
    return bookable_venues().filter(pk=pk).first()


def open_now_filter(points: QuerySet[ServicePoint]) -> list[ServicePoint]:
    """The points of `points` open at this moment (hours are checked in Python, in one pass)."""
    at = timezone.localtime()
    calendar = calendar_around(at)
    return [
        point
        for point in points.only(*_NEAR_FIELDS).iterator(chunk_size=2000)
        if Hours.from_json(point.hours).is_open(at, calendar)
    ]


def open_flags(points: list[ServicePoint], *, at: datetime | None = None) -> list[bool]:
    """Whether each point is open at `at` (now), with one calendar query for them all."""
    at = timezone.localtime(at)
    calendar = calendar_around(at)
    return [
        p.status == PointStatus.ACTIVE and Hours.from_json(p.hours).is_open(at, calendar)
        for p in points
    ]
