"""Service points: the scoped staff pages (points, import, check-ins, venues, bookings) and the
public portal pages (nearest points, a point, venues and their slots, booking)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.ratelimit import rate_limited
from gonghui.core.scoping import scoped
from gonghui.orgs.models import UnionOrg
from gonghui.places import selectors, services
from gonghui.places.forms import (
    ImportForm,
    NearForm,
    PointFilterForm,
    PointForm,
    SlotPlanForm,
    VenueForm,
    VisitForm,
    chinese_active,
)
from gonghui.places.geo import parse_near
from gonghui.places.hours import Hours, format_hours
from gonghui.places.models import Amenity, BookingStatus, PointKind, ServicePoint, VenueSlot
from gonghui.portal.auth import current_member, member_required

app_name = "places"


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _hours_text(point: ServicePoint) -> str:
    return format_hours(Hours.from_json(point.hours), chinese=chinese_active())


def _amenity_labels(point: ServicePoint) -> list[str]:
    labels = dict(Amenity.choices)
    return [str(labels[a]) for a in point.amenities if a in labels]


def _point_or_404(request: HttpRequest, pk: int) -> ServicePoint:
    point = selectors.point_get(user=request.user, pk=pk)
    if point is None:
        raise Http404
    return point


# --- staff: points ------------------------------------------------------------------------------


@login_required
def point_list(request: HttpRequest) -> HttpResponse:
    form = PointFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    points = selectors.point_list(
        user=request.user, q=data.get("q"), kind=data.get("kind"), status=data.get("status")
    )
    context = {
        "form": form,
        "page": _page(request, points),
        "query": _query(request),
        "can_manage": can(request.user, Capability.MANAGE_PLACES),
    }
    return render(request, "places/list.html", context)


def _save_point(request: HttpRequest, point: ServicePoint | None) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_PLACES):
        raise PermissionDenied(_("Your role may not manage service points."))
    initial = PointForm.initial_for(point) if point else {"region_code": ""}
    form = PointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = (
            scoped(UnionOrg.objects.all(), user=request.user)
            .filter(code=form.cleaned_data["org_code"])
            .first()
        )
        taken = ServicePoint.objects.filter(code=form.cleaned_data["code"])
        if point is not None:
            taken = taken.exclude(pk=point.pk)
        if org is None:
            form.add_error("org_code", _("No union with this code inside your scope."))
        elif taken.exists():
            form.add_error("code", _("Another point already has this code."))
        else:
            point = services.point_save(
                user=request.user, point=point, org=org, values=form.values()
            )
            messages.success(request, _("The service point is saved."))
            return redirect("places:detail", pk=point.pk)
    return render(request, "places/edit.html", {"form": form, "point": point})


@login_required
def point_new(request: HttpRequest) -> HttpResponse:
    return _save_point(request, None)


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_point(request, _point_or_404(request, pk))


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk)
    context = {
        "point": point,
        "hours_text": _hours_text(point),
        "open_now": selectors.is_open_now(point),
        "amenities": _amenity_labels(point),
        "visits": selectors.visit_counts(point),
        "venues": point.venues.order_by("name"),
        "visit_form": VisitForm(),
        "venue_form": VenueForm(),
        "can_manage": can(request.user, Capability.MANAGE_PLACES),
    }
    return render(request, "places/detail.html", context)


@login_required
def point_visits(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk)
    visits = selectors.visit_list(user=request.user, point=point).select_related(
        "member", "recorded_by"
    )
    context = {"point": point, "page": _page(request, visits), "query": "",
               "counts": selectors.visit_counts(point)}  # fmt: skip
    return render(request, "places/visits.html", context)


@login_required
@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        services.visit_record(user=request.user, point=point, people=form.cleaned_data["people"])
        messages.success(request, _("The visit is counted."))
    else:
        messages.error(request, _("Count between 1 and 10 000 people."))
    return redirect("places:detail", pk=point.pk)


# --- staff: import ------------------------------------------------------------------------------


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Capability.MANAGE_PLACES)
    form = ImportForm(request.POST or None, request.FILES or None)
    job = None
    if request.method == "POST" and allowed and form.is_valid():
        job = services.point_import_upload(user=request.user, upload=form.cleaned_data["file"])
    imports = selectors.point_import_list(user=request.user)[:20]
    context = {"form": form, "imports": imports, "allowed": allowed, "job": job}
    return render(request, "places/imports.html", context)


@login_required
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.point_import_list(user=request.user).filter(pk=pk).first()
    if job is None or not job.error_report:
        raise Http404
    return FileResponse(
        job.error_report.open("rb"), as_attachment=True, filename=f"points-{job.pk}-errors.xlsx"
    )


# --- staff: venues and bookings -----------------------------------------------------------------


@login_required
@require_POST
def venue_create(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk)
    form = VenueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the venue a name and valid limits."))
        return redirect("places:detail", pk=point.pk)
    venue = services.venue_save(
        user=request.user, point=point, venue=None, values=form.cleaned_data
    )
    return redirect("places:venue", pk=venue.pk)


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, pk=pk)
    if venue is None:
        raise Http404
    context = {
        "venue": venue,
        "slots": selectors.slots_with_counts(venue, since=timezone.now())[:60],
        "bookings": selectors.booking_list(user=request.user, venue=venue)[:100],
        "slot_form": SlotPlanForm(initial=SlotPlanForm.defaults()),
        "can_manage": can(request.user, Capability.MANAGE_PLACES),
    }
    return render(request, "places/venue.html", context)


@login_required
@require_POST
def venue_slots(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, pk=pk)
    if venue is None:
        raise Http404
    form = SlotPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        plan = services.SlotPlan(
            first_day=data["first_day"], last_day=data["last_day"],
            weekdays=frozenset(data["weekdays"]), start=data["start"], end=data["end"],
            capacity=data["capacity"],
        )  # fmt: skip
        errors = services.slots_plan_errors(plan)
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            added = services.slots_create(user=request.user, venue=venue, plan=plan)
            messages.success(request, _("%(n)d time slots added.") % {"n": added})
    else:
        messages.error(request, _("Fill in the dates, weekdays, times and places."))
    return redirect("places:venue", pk=venue.pk)


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    bookings = selectors.booking_list(user=request.user)
    return render(request, "places/bookings.html", {"page": _page(request, bookings), "query": ""})


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    try:
        services.booking_cancel(booking=booking, user=request.user)
    except services.BookingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("places:venue", pk=booking.slot.venue_id)


# --- public portal pages ------------------------------------------------------------------------

NEAR_PAGE_LIMIT = 20


def distance_text(metres: float) -> str:
    if metres < 1000:
        return _("%(m)d m") % {"m": round(metres)}
    return _("%(km).1f km") % {"km": metres / 1000}


def _centres() -> list[tuple[int, str]]:
    """Worker service centres to measure from when the browser gives no position."""
    centres = selectors.public_points(kind=PointKind.SERVICE_CENTRE).order_by("name")
    return list(centres.values_list("pk", "name")[:100])


@rate_limited("places_near", methods=("GET",))
def portal_nearest(request: HttpRequest) -> HttpResponse:
    form = NearForm(request.GET or None, centres=_centres())
    found, origin, error = [], None, None
    if form.is_valid():
        data = form.cleaned_data
        if data["near"]:
            try:
                origin = parse_near(data["near"])
            except ValueError:
                error = _("Your position could not be read; choose a centre instead.")
        elif data["centre"]:
            centre = selectors.public_points().filter(pk=data["centre"]).first()
            origin = (centre.lat, centre.lng) if centre else None
        if origin is not None:
            found = selectors.nearest_points(
                lat=origin[0], lng=origin[1], limit=NEAR_PAGE_LIMIT,
                kind=data["kind"] or None, open_now=data["open_now"],
            )  # fmt: skip
    items = [
        {"point": n.point, "open_now": n.open_now, "distance_text": distance_text(n.distance_m)}
        for n in found
    ]
    context = {"form": form, "found": items, "origin": origin, "error": error}
    return render(request, "places/portal_nearest.html", context)


@rate_limited("places_near", methods=("GET",))
def portal_point(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.public_points().filter(pk=pk).first()
    if point is None:
        raise Http404
    context = {
        "point": point,
        "hours_text": _hours_text(point),
        "open_now": selectors.is_open_now(point),
        "amenities": _amenity_labels(point),
        "venues": point.venues.filter(active=True).order_by("name"),
        "member": current_member(request),
    }
    return render(request, "places/portal_point.html", context)


@require_POST
@rate_limited("portal_member")
@member_required
def portal_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.public_points().filter(pk=pk).first()
    if point is None:
        raise Http404
    _visit, new = services.visit_check_in(member=request.member, point=point)  # type: ignore[attr-defined]
    if new:
        messages.success(request, _("Checked in. Welcome!"))
    else:
        messages.info(request, _("You have already checked in here today."))
    return redirect("places:portal_point", pk=point.pk)


@rate_limited("places_near", methods=("GET",))
def portal_venues(request: HttpRequest) -> HttpResponse:
    return render(request, "places/portal_venues.html", {"venues": selectors.bookable_venues()})


@rate_limited("places_near", methods=("GET",))
def portal_venue(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.public_venue(pk)
    if venue is None:
        raise Http404
    member = current_member(request)
    slots = selectors.slots_with_counts(venue, since=timezone.now()).filter(
        starts_at__gt=timezone.now()
    )[:60]
    mine = set()
    if member is not None:
        mine = set(
            selectors.member_bookings(member=member)
            .filter(slot__venue=venue)
            .values_list("slot_id", flat=True)
        )
    context = {"venue": venue, "slots": slots, "member": member, "mine": mine}
    return render(request, "places/portal_venue.html", context)


@require_POST
@rate_limited("portal_member")
@member_required
def portal_book(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    venue_id = VenueSlot.objects.filter(pk=pk).values_list("venue_id", flat=True).first()
    if venue_id is None or selectors.public_venue(venue_id) is None:
        raise Http404
    try:
        services.booking_create(member=member, slot_id=pk)
    except services.BookingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Booked. You find it on your portal home."))
    return redirect("places:portal_venue", pk=venue_id)


@require_POST
@rate_limited("portal_member")
@member_required
def portal_booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    booking = selectors.member_bookings(member=member, upcoming_only=False).filter(pk=pk).first()
    if booking is None or booking.status != BookingStatus.BOOKED:
        raise Http404
    try:
        services.booking_cancel(booking=booking, member=member)
    except services.BookingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("portal:home")


urlpatterns = [
    path("places/", point_list, name="list"),
    path("places/new/", point_new, name="new"),
    path("places/imports/", import_list, name="imports"),
    path("places/imports/<int:pk>/errors.xlsx", import_errors, name="import_errors"),
    path("places/bookings/", booking_list, name="bookings"),
    path("places/bookings/<int:pk>/cancel/", booking_cancel, name="booking_cancel"),
    path("places/venues/<int:pk>/", venue_detail, name="venue"),
    path("places/venues/<int:pk>/slots/", venue_slots, name="venue_slots"),
    path("places/<int:pk>/", point_detail, name="detail"),
    path("places/<int:pk>/edit/", point_edit, name="edit"),
    path("places/<int:pk>/visits/", point_visits, name="visits"),
    path("places/<int:pk>/visits/record/", visit_record, name="visit_record"),
    path("places/<int:pk>/venues/new/", venue_create, name="venue_create"),
    path("portal/places/", portal_nearest, name="portal_nearest"),
    path("portal/places/<int:pk>/", portal_point, name="portal_point"),
    path("portal/places/<int:pk>/check-in/", portal_check_in, name="portal_check_in"),
    path("portal/venues/", portal_venues, name="portal_venues"),
    path("portal/venues/<int:pk>/", portal_venue, name="portal_venue"),
    path("portal/venues/slots/<int:pk>/book/", portal_book, name="portal_book"),
    path("portal/bookings/<int:pk>/cancel/", portal_booking_cancel, name="portal_booking_cancel"),
]
