"""The public service-point finder: `GET /api/v1/places`.

Public on purpose: workers' phones and the portal call it without an account. It lists only
active points and only what a map shows (no managing union, no visits, no personal data), and
it is rate limited per client address (`places_near.address`, default 600 an hour).
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.core.ratelimit import rate_limited
from gonghui.places import selectors
from gonghui.places.geo import parse_near
from gonghui.places.models import PointKind

router = Router(tags=["places"])
# `<lat>,<lng>`: latitude within ±90, longitude within ±180, in decimal degrees.
_LAT = r"-?(?:90(?:\.0+)?|[1-8]?\d(?:\.\d+)?)"
_LNG = r"-?(?:180(?:\.0+)?|1[0-7]\d(?:\.\d+)?|[1-9]?\d(?:\.\d+)?)"
NEAR_PATTERN = rf"^{_LAT},{_LNG}$"


class PlaceOut(Schema):
    id: int
    name: str
    kind: PointKind
    address: str
    lat: float = Field(..., description="latitude as given (GCJ-02 in Chinese maps)")
    lng: float = Field(..., description="longitude as given (GCJ-02 in Chinese maps)")
    distance_m: float | None = Field(None, description="metres from `near` (great circle)")
    open_now: bool


class PlacePage(Schema):
    items: list[PlaceOut]
    count: int = Field(..., description="all matching points (without `near`), else len(items)")


class ErrorOut(Schema):
    detail: str


class RateLimitedOut(Schema):
    detail: str
    retry_after: int


def _out(point: object, distance: float | None, opened: bool) -> dict[str, object]:
    return {
        "id": point.pk,  # type: ignore[attr-defined]
        "name": point.name,  # type: ignore[attr-defined]
        "kind": point.kind,  # type: ignore[attr-defined]
        "address": point.address,  # type: ignore[attr-defined]
        "lat": point.lat,  # type: ignore[attr-defined]
        "lng": point.lng,  # type: ignore[attr-defined]
        "distance_m": None if distance is None else round(distance, 1),
        "open_now": opened,
    }


@router.get(
    "/places",
    auth=None,
    response={200: PlacePage, 400: ErrorOut, 429: RateLimitedOut},
    summary="Active service points, nearest first with `near`, else in pages",
)
@rate_limited("places_near", methods=("GET",), as_json=True)
def list_places(
    request: HttpRequest,
    near: str | None = Query(
        None, description="`<lat>,<lng>` in degrees: nearest first", pattern=NEAR_PATTERN
    ),
    kind: PointKind | None = None,
    open_now: bool = Query(False, description="only points open at this moment"),
    limit: int = Query(10, ge=1, le=settings.PLACES_NEAR_MAX_LIMIT, description="with `near`"),
    page: int = Query(1, ge=1, le=1_000_000, description="1-based page (without `near`)"),
    page_size: int = Query(settings.PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE),
) -> object:
    if near:
        try:
            lat, lng = parse_near(near)
        except ValueError:
            detail = _("near must be <lat>,<lng> in degrees, for example 39.904,116.407.")
            return Status(400, {"detail": detail})
        found = selectors.nearest_points(
            lat=lat, lng=lng, limit=limit, kind=kind, open_now=open_now
        )
        items = [_out(n.point, n.distance_m, n.open_now) for n in found]
        return Status(200, {"items": items, "count": len(items)})
    points = selectors.public_points(kind=kind).order_by("pk")
    if open_now:
        opened = selectors.open_now_filter(points)
        count = len(opened)
        rows = opened[(page - 1) * page_size : page * page_size]
        return Status(200, {"items": [_out(p, None, True) for p in rows], "count": count})
    count = points.count()
    rows = list(points[(page - 1) * page_size : page * page_size])
    flags = selectors.open_flags(rows)
    items = [_out(p, None, flag) for p, flag in zip(rows, flags, strict=True)]
    return Status(200, {"items": items, "count": count})
