"""Scope declarations of the service network's routes (see core/tests/test_scope_sweep.py).

The finder, a point's public page and the venues' public pages show only active points and what
a map shows, to anyone (rate limited). Checking in, booking and cancelling need a portal
sign-in and reach only the signed-in member's own bookings.
"""

from gonghui.members.tests.factories import MemberFactory
from gonghui.places.tests.factories import ServicePointFactory, slot_of, venue_at

PUBLIC = {
    "places:portal_nearest",
    "places:portal_point",
    "places:portal_venues",
    "places:portal_venue",
    "GET /api/v1/places",
}
OWN_DATA = {
    "places:portal_check_in": lambda c: ({"pk": ServicePointFactory(org=c.other_community).pk}, {}),
    "places:portal_book": lambda c: ({"pk": slot_of(venue_at(c.other_community)).pk}, {}),
    "places:portal_booking_cancel": lambda c: ({"pk": _booking_at(c.other_community).pk}, {}),
}
STAFF_ONLY = {"places:new": {}}
LISTS = {"places:list", "places:imports", "places:bookings"}
DETAILS = {
    "places:detail": lambda c, org: {"pk": ServicePointFactory(org=org).pk},
    "places:edit": lambda c, org: {"pk": ServicePointFactory(org=org).pk},
    "places:visits": lambda c, org: {"pk": ServicePointFactory(org=org).pk},
    "places:venue": lambda c, org: {"pk": venue_at(org).pk},
    "places:import_errors": lambda c, org: {"pk": _import_at(org).pk},
}
ACTIONS = {
    "places:visit_record": lambda c, org: {"pk": ServicePointFactory(org=org).pk},
    "places:venue_create": lambda c, org: {"pk": ServicePointFactory(org=org).pk},
    "places:venue_slots": lambda c, org: {"pk": venue_at(org).pk},
    "places:booking_cancel": lambda c, org: {"pk": _booking_at(org).pk},
}


def _booking_at(org):
    from gonghui.places.models import Booking

    slot = slot_of(venue_at(org))
    return Booking.objects.create(slot=slot, member=MemberFactory(org=org))


def _import_at(org):
    from django.core.files.base import ContentFile

    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update
    from gonghui.places.models import PlaceImport

    user = user_create_or_update(
        username=f"importer{org.pk}", scope_org=org, role=Role.OFFICER, password="x-Very-long-9"
    )
    job = PlaceImport(org=org, created_by=user, original_name="points.csv")
    job.file.save("points.csv", ContentFile(b"code\n"), save=False)
    job.error_report.save("points.errors.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    job.save()
    return job
