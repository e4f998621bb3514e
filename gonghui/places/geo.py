"""Great-circle distance and the bounding box that holds every point within a radius.

Coordinates are taken as given (GCJ-02 in Chinese maps): the offsets of GCJ-02 from WGS-84 are a
few hundred metres at most and the same for neighbouring points, so distances between points
given in the same datum are right to within metres.

The box is exact (J. Matuschek, "Finding points within a distance of a latitude/longitude"):
every point within `radius` metres of the centre lies inside it, so a query that keeps the box's
rows and then measures each one finds every point of the circle, and none outside is nearer.
"""

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
HALF_CIRCUMFERENCE_M = math.pi * EARTH_RADIUS_M
# A margin for floating-point rounding at the box's edges (about 0.1 mm).
_EPSILON_DEG = 1e-9


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance in metres along the great circle between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    # None: every longitude (the circle holds a pole or spans the antimeridian).
    min_lng: float | None
    max_lng: float | None


def bounding_box(lat: float, lng: float, radius_m: float) -> Box:
    """The smallest latitude/longitude box containing the circle of `radius_m` around a point."""
    delta = radius_m / EARTH_RADIUS_M
    phi = math.radians(lat)
    min_phi, max_phi = phi - delta, phi + delta
    if min_phi <= -math.pi / 2 or max_phi >= math.pi / 2 or delta >= math.pi / 2:
        return Box(max(-90.0, math.degrees(min_phi)), min(90.0, math.degrees(max_phi)), None, None)
    ratio = math.sin(delta) / math.cos(phi)
    if ratio >= 1:
        return Box(math.degrees(min_phi), math.degrees(max_phi), None, None)
    dlng = math.degrees(math.asin(ratio)) + _EPSILON_DEG
    min_lng, max_lng = lng - dlng, lng + dlng
    box_lat = (math.degrees(min_phi) - _EPSILON_DEG, math.degrees(max_phi) + _EPSILON_DEG)
    if min_lng < -180 or max_lng > 180:
        return Box(*box_lat, None, None)  # across the antimeridian: keep every longitude
    return Box(*box_lat, min_lng, max_lng)


def parse_near(raw: str) -> tuple[float, float]:
    """`"39.904,116.407"` → (lat, lng); ValueError unless two finite numbers in range."""
    parts = [part.strip() for part in raw.replace("，", ",").split(",")]
    if len(parts) != 2:
        raise ValueError("near must be <lat>,<lng>")
    lat, lng = float(parts[0]), float(parts[1])
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise ValueError("near must be finite numbers")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError("latitude must be within ±90 and longitude within ±180")
    return lat, lng
