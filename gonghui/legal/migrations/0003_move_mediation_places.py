"""Mediation centres and rooms become service points of gonghui.places, step 2 of 3.

Each MediationPlace becomes a ServicePoint of the same union, name and address, of kind
mediation_centre (centre) or mediation_room (room); its mediators and cases are linked to it.

What MediationPlace did not know: the code is MED-<old id> (with a suffix should a point already
have it); the address, when empty, is the union's (else its name); the region code is the
union's; the coordinates are those of a service point of the same union, else of the nearest
union above it, else of one below it, else the centre of Beijing; the hours are left empty
(not given) and the point is open to workers. Backwards, the points stay; mediators and cases
get a MediationPlace again, made from the point they are linked to.
"""

from django.db import migrations

# Tiananmen, GCJ-02: the last resort for a union with no service point anywhere on its branch.
FALLBACK = (39.904, 116.407)
STEPLEN = 4  # UnionOrg.steplen
KINDS = {"centre": "mediation_centre", "room": "mediation_room"}


def _coordinates(points, org):
    points = points.exclude(kind__in=KINDS.values()).order_by("code")
    same = points.filter(org_id=org.pk).values_list("lat", "lng").first()
    if same:
        return same
    ancestors = [org.path[:end] for end in range(len(org.path) - STEPLEN, 0, -STEPLEN)]
    above = {
        path: (lat, lng)
        for path, lat, lng in points.filter(org__path__in=ancestors)
        .order_by("-code")
        .values_list("org__path", "lat", "lng")
    }
    for path in ancestors:  # nearest first
        if path in above:
            return above[path]
    below = points.filter(org__path__startswith=org.path).values_list("lat", "lng").first()
    return below or FALLBACK


def _code(points, pk):
    code, n = f"MED-{pk:06d}", 1
    while points.filter(code=code).exists():
        n += 1
        code = f"MED-{pk:06d}-{n}"
    return code


def places_to_points(apps, schema_editor):
    alias = schema_editor.connection.alias
    MediationPlace = apps.get_model("legal", "MediationPlace")
    ServicePoint = apps.get_model("places", "ServicePoint")
    Mediator = apps.get_model("legal", "Mediator")
    DisputeCase = apps.get_model("legal", "DisputeCase")
    points = ServicePoint.objects.using(alias)
    for place in MediationPlace.objects.using(alias).select_related("org").order_by("pk"):
        org = place.org
        lat, lng = _coordinates(points, org)
        point = points.create(
            code=_code(points, place.pk),
            name=place.name[:100],
            kind=KINDS.get(place.kind, "mediation_room"),
            org=org,
            address=(place.address or org.address or org.name)[:200],
            region_code=org.region_code or "",
            lat=lat,
            lng=lng,
            hours={},
            amenities=[],
            services=[],
            status="active",
        )
        Mediator.objects.using(alias).filter(place_id=place.pk).update(point_id=point.pk)
        DisputeCase.objects.using(alias).filter(place_id=place.pk).update(point_id=point.pk)


def points_to_places(apps, schema_editor):
    alias = schema_editor.connection.alias
    MediationPlace = apps.get_model("legal", "MediationPlace")
    ServicePoint = apps.get_model("places", "ServicePoint")
    Mediator = apps.get_model("legal", "Mediator")
    DisputeCase = apps.get_model("legal", "DisputeCase")
    linked = set(Mediator.objects.using(alias).values_list("point_id", flat=True))
    linked |= set(DisputeCase.objects.using(alias).values_list("point_id", flat=True))
    kinds = {point_kind: kind for kind, point_kind in KINDS.items()}
    for point in ServicePoint.objects.using(alias).filter(pk__in=linked - {None}).order_by("pk"):
        place = MediationPlace.objects.using(alias).create(
            org_id=point.org_id,
            name=point.name,
            address=point.address,
            kind=kinds.get(point.kind, "room"),
        )
        Mediator.objects.using(alias).filter(point_id=point.pk).update(place_id=place.pk)
        DisputeCase.objects.using(alias).filter(point_id=point.pk).update(place_id=place.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0002_mediation_points"),
        ("places", "0002_mediation_centre"),
    ]

    operations = [
        migrations.RunPython(places_to_points, points_to_places),
    ]
