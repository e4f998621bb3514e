from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member
from gonghui.orgs.models import UnionOrg


class PointKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("Worker service centre")
    SERVICE_STATION = "service_station", _("Union service station")
    WORKERS_HOME = "workers_home", _("Workers' Home")
    COMMUNITY_STATION = "community_station", _("Community station")
    LACTATION_ROOM = "lactation_room", _("Lactation room")
    OUTDOOR_STATION = "outdoor_station", _("Outdoor worker station")
    WHITE_COLLAR_STATION = "white_collar_station", _("White-collar station")
    LIBRARY = "library", _("Workers' library")
    CANTEEN = "canteen", _("Canteen")
    CULTURAL_PALACE = "cultural_palace", _("Cultural palace")
    CLUB = "club", _("Workers' club")
    SANATORIUM = "sanatorium", _("Sanatorium")
    SPORTS_VENUE = "sports_venue", _("Sports venue")
    MEDIATION_CENTRE = "mediation_centre", _("Mediation centre")
    MEDIATION_ROOM = "mediation_room", _("Mediation room")


# The kinds where labour disputes are mediated (gonghui.legal: mediators and cases link to them).
MEDIATION_KINDS = (PointKind.MEDIATION_CENTRE, PointKind.MEDIATION_ROOM)


class PointStatus(models.TextChoices):
    ACTIVE = "active", _("Open to workers")
    SUSPENDED = "suspended", _("Temporarily closed")
    CLOSED = "closed", _("Closed down")


class Grade(models.IntegerChoices):
    UNRATED = 0, _("Not rated")
    ONE = 1, _("One star")
    TWO = 2, _("Two stars")
    THREE = 3, _("Three stars")
    FOUR = 4, _("Four stars")
    FIVE = 5, _("Five stars")


class Amenity(models.TextChoices):
    DRINKING_WATER = "drinking_water", _("Drinking water")
    MICROWAVE = "microwave", _("Microwave")
    CHARGING = "charging", _("Phone charging")
    TOILET = "toilet", _("Toilet")
    SEATS = "seats", _("Seats to rest")
    FIRST_AID = "first_aid", _("First-aid kit")
    WIFI = "wifi", _("Wi-Fi")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    HEATING = "heating", _("Heating")
    REFRIGERATOR = "refrigerator", _("Refrigerator")
    LOCKERS = "lockers", _("Lockers")
    BOOKS = "books", _("Books and newspapers")
    ACCESSIBLE = "accessible", _("Step-free access")


class ServicePoint(models.Model):
    """A place of the service network (职工服务中心, 工会服务站, 劳动者驿站, 爱心妈咪小屋 …).

    Coordinates are stored as given (GCJ-02 from Chinese maps). `hours` is the structured
    opening hours of gonghui.places.hours; `code` is the federation's own identifier, the key a
    re-imported file updates by.
    """

    scope_path = "org__path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=PointKind.choices)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="service_points",
        verbose_name=_("managing union"),
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    amenities = models.JSONField(_("amenities"), default=list, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    contact = models.CharField(_("contact telephone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PointStatus.choices, default=PointStatus.ACTIVE
    )
    grade = models.PositiveSmallIntegerField(
        _("standardisation grade"), choices=Grade.choices, default=Grade.UNRATED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        indexes = [
            # The nearest search's box: a latitude band, then longitude within it.
            models.Index(fields=["status", "lat", "lng"], name="point_status_lat_lng"),
            models.Index(fields=["kind", "status"], name="point_kind_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VisitSource(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    PORTAL = "portal", _("Member check-in")


class PointVisit(models.Model):
    """A check-in at a point: a member scanning in on the portal, or walk-ins counted by staff."""

    scope_path = "point__org__path"

    point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="visits", verbose_name=_("point")
    )
    visited_at = models.DateTimeField(_("visited at"))
    people = models.PositiveIntegerField(_("people"), default=1)
    source = models.CharField(_("source"), max_length=8, choices=VisitSource.choices)
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("member"),
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["point", "visited_at"], name="visit_point_at")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.visited_at:%Y-%m-%d %H:%M} ×{self.people}"


class PlaceImport(models.Model):
    """An uploaded service-point file and what its import did."""

    scope_path = "org__path"

    file = models.FileField(_("file"), upload_to="imports/places/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("importing union")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error_report = models.FileField(
        _("error report"), upload_to="imports/places/%Y/%m/", blank=True
    )
    failure = models.CharField(_("failure"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("service point import")
        verbose_name_plural = _("service point imports")

    def __str__(self) -> str:
        return self.original_name


# --- venue booking ------------------------------------------------------------------------------


class Venue(models.Model):
    """A bookable facility at a point (a hall of the cultural palace, a court, a reading room)."""

    scope_path = "point__org__path"

    point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="venues", verbose_name=_("point")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # How many future bookings one member may hold at this venue at once.
    member_limit = models.PositiveSmallIntegerField(_("bookings per member"), default=2)
    # Cancellation by the member is possible until this many hours before the slot begins.
    cancel_hours = models.PositiveSmallIntegerField(_("cancel up to (hours before)"), default=2)
    active = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return f"{self.point.name} · {self.name}"


class VenueSlot(models.Model):
    scope_path = "venue__point__org__path"

    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="slots", verbose_name=_("venue")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "starts_at"], name="one_slot_per_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(models.Model):
    scope_path = "slot__venue__point__org__path"

    slot = models.ForeignKey(
        VenueSlot, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("time slot")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="venue_bookings", verbose_name=_("member")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("cancelled by staff"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "member"],
                condition=models.Q(status="booked"),
                name="one_booking_per_slot_and_member",
            )
        ]
        indexes = [models.Index(fields=["member", "status"], name="booking_member_status")]

    def __str__(self) -> str:
        return f"{self.slot_id} {self.member_id} {self.status}"
