"""Writes of the service network: points (form and import), visits, venues, slots, bookings."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.audit import audit_record
from gonghui.core.importing import ImportResult, Record, default_report_path, import_file
from gonghui.core.models import AuditAction
from gonghui.core.scoping import org_in_scope
from gonghui.core.tabular import FileUnreadable, RowError
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.importing import RowInvalid
from gonghui.orgs.models import UnionOrg
from gonghui.places.importing import POINT_COLUMNS, PointRecord, Vocabulary, clean_point
from gonghui.places.models import (
    Booking,
    BookingStatus,
    PlaceImport,
    PointStatus,
    PointVisit,
    ServicePoint,
    Venue,
    VenueSlot,
    VisitSource,
)

_POINT_FIELDS = tuple(f for f in PointRecord.__dataclass_fields__ if f != "org_code")
MAX_SLOT_DAYS = 92


def _manage(user: Any) -> None:
    require(user, Capability.MANAGE_PLACES, _("Your role may not manage service points."))


# --- points -------------------------------------------------------------------------------------


@transaction.atomic
def point_save(
    *, user: Any, point: ServicePoint | None, org: UnionOrg, values: dict[str, Any]
) -> ServicePoint:
    """Create a point (point=None) or change one, managed by `org` inside the user's subtree."""
    _manage(user)
    if not org_in_scope(org, user=user) or (point and not org_in_scope(point.org, user=user)):
        raise PermissionDenied(_("This union is outside your scope."))
    point = point or ServicePoint()
    point.org = org
    for name in _POINT_FIELDS:
        if name in values:
            setattr(point, name, values[name])
    point.save()
    return point


def point_import(
    *, path: Path, scope_org: UnionOrg, report_path: Path | None = None
) -> ImportResult:
    """Import points from CSV/XLSX (POINT_COLUMNS). Idempotent: upsert by code, in one write."""
    return import_file(
        path=path,
        columns=POINT_COLUMNS,
        import_rows=lambda rows: point_import_rows(rows=rows, scope_org=scope_org),
        report_path=report_path,
    )


def point_import_rows(*, rows: Iterable[Record], scope_org: UnionOrg) -> ImportResult:
    result = ImportResult()
    vocabulary = Vocabulary()
    records: dict[str, tuple[int, PointRecord, list[str]]] = {}
    for number, values, cells in rows:
        result.rows += 1
        try:
            record = clean_point(values, vocabulary)
        except RowInvalid as exc:
            result.reject(exc.at(number, cells))
            continue
        if record.code in records:
            reason = _("The code %(code)s appears again in this file (first on row %(row)d).")
            result.reject(
                RowError(
                    number,
                    "code",
                    record.code,
                    reason % {"code": record.code, "row": records[record.code][0]},
                    cells,
                )
            )
            continue
        records[record.code] = (number, record, cells)
    with transaction.atomic():
        _point_write(records, scope_org, result)
    return result


def _point_write(
    records: dict[str, tuple[int, PointRecord, list[str]]],
    scope_org: UnionOrg,
    result: ImportResult,
) -> None:
    org_codes = {record.org_code for _n, record, _c in records.values()}
    orgs = {
        org.code: org
        for org in UnionOrg.objects.filter(code__in=org_codes, path__startswith=scope_org.path)
    }
    existing = {
        point.code: point
        for point in ServicePoint.objects.filter(code__in=records).select_related("org")
    }
    creates: list[ServicePoint] = []
    updates: list[ServicePoint] = []
    for code, (number, record, cells) in sorted(records.items(), key=lambda item: item[1][0]):
        org = orgs.get(record.org_code)
        if org is None:
            reason = _("No union with this code inside your scope.")
            result.reject(RowError(number, "org_code", record.org_code, reason, cells))
            continue
        point = existing.get(code)
        if point is not None and not point.org.path.startswith(scope_org.path):
            reason = _("This point code belongs to a point outside your scope.")
            result.reject(RowError(number, "code", code, reason, cells))
            continue
        values = record.fields()
        if point is None:
            creates.append(ServicePoint(org=org, **values))
            continue
        changed = point.org_id != org.pk or any(
            getattr(point, name) != value for name, value in values.items()
        )
        if not changed:
            result.unchanged += 1
            continue
        point.org = org
        for name, value in values.items():
            setattr(point, name, value)
        point.updated_at = timezone.now()
        updates.append(point)
    ServicePoint.objects.bulk_create(creates, batch_size=1000)
    ServicePoint.objects.bulk_update(
        updates, [*_POINT_FIELDS, "org", "updated_at"], batch_size=1000
    )
    result.created += len(creates)
    result.updated += len(updates)


def point_import_upload(*, user: Any, upload: UploadedFile) -> PlaceImport:
    """Store an uploaded file and import it now (a network's points are thousands, not millions).

    The row errors go to an XLSX report next to the upload; the import is audited.
    """
    _manage(user)
    if user.scope_org is None:
        raise PermissionDenied(_("Your account has no union scope."))
    job = PlaceImport.objects.create(
        file=upload,
        original_name=(upload.name or "points")[:255],
        org=user.scope_org,
        created_by=user,
    )
    source = Path(job.file.path)
    report = default_report_path(source)
    try:
        result = point_import(path=source, scope_org=user.scope_org, report_path=report)
    except FileUnreadable as exc:
        job.failure = str(exc.reason)[:500]
        job.save(update_fields=["failure"])
        return job
    job.result = result.as_dict() | {
        "errors_shown": [
            {"row": e.row, "column": e.column, "reason": str(e.reason)} for e in result.errors[:20]
        ]
    }
    if result.error_report:
        job.error_report.name = str(report.relative_to(Path(job.file.storage.location)))
    job.save(update_fields=["result", "error_report"])
    audit_record(
        actor=user,
        action=AuditAction.IMPORT,
        target=job,
        detail={"file": job.original_name, **result.as_dict()},
    )
    return job


# --- visits -------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *, user: Any, point: ServicePoint, people: int, at: datetime | None = None
) -> PointVisit:
    """Staff count walk-in visitors (people who did not check in on the portal)."""
    _manage(user)
    if not org_in_scope(point.org, user=user):
        raise PermissionDenied(_("This point is outside your scope."))
    if not 1 <= people <= 10_000:
        raise ValueError(_("Count between 1 and 10 000 people."))
    return PointVisit.objects.create(
        point=point,
        visited_at=at or timezone.now(),
        people=people,
        source=VisitSource.STAFF,
        recorded_by=user,
    )


@transaction.atomic
def visit_check_in(*, member: Member, point: ServicePoint) -> tuple[PointVisit, bool]:
    """A member checks in at an active point; a second check-in the same day counts once."""
    if point.status != PointStatus.ACTIVE:
        raise ValueError(_("This point is not open."))
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    Member.objects.select_for_update().filter(pk=member.pk).first()
    visit = PointVisit.objects.filter(
        point=point, member=member, source=VisitSource.PORTAL, visited_at__gte=start
    ).first()
    if visit is not None:
        return visit, False
    visit = PointVisit.objects.create(
        point=point, member=member, visited_at=timezone.now(), source=VisitSource.PORTAL
    )
    return visit, True


# --- venues and slots ---------------------------------------------------------------------------


@transaction.atomic
def venue_save(
    *, user: Any, point: ServicePoint, venue: Venue | None, values: dict[str, Any]
) -> Venue:
    _manage(user)
    if not org_in_scope(point.org, user=user):
        raise PermissionDenied(_("This point is outside your scope."))
    venue = venue or Venue(point=point)
    for name in ("name", "description", "member_limit", "cancel_hours", "active"):
        if name in values:
            setattr(venue, name, values[name])
    venue.save()
    return venue


@dataclass(frozen=True)
class SlotPlan:
    first_day: date
    last_day: date
    weekdays: frozenset[int]  # 0 = Monday
    start: time
    end: time
    capacity: int


def slots_plan_errors(plan: SlotPlan) -> list[str]:
    errors = []
    if plan.last_day < plan.first_day:
        errors.append(_("The last day is before the first."))
    elif (plan.last_day - plan.first_day).days >= MAX_SLOT_DAYS:
        errors.append(_("Plan at most %(days)d days at once.") % {"days": MAX_SLOT_DAYS})
    if plan.end <= plan.start:
        errors.append(_("A slot ends after it starts."))
    if plan.capacity < 1:
        errors.append(_("The capacity is at least 1."))
    if not plan.weekdays:
        errors.append(_("Choose at least one weekday."))
    return errors


@transaction.atomic
def slots_create(*, user: Any, venue: Venue, plan: SlotPlan) -> int:
    """Add a slot on each chosen weekday of the range; days that already have it are kept."""
    _manage(user)
    if not org_in_scope(venue.point.org, user=user):
        raise PermissionDenied(_("This venue is outside your scope."))
    errors = slots_plan_errors(plan)
    if errors:
        raise ValueError(" ".join(errors))
    slots = []
    day = plan.first_day
    while day <= plan.last_day:
        if day.weekday() in plan.weekdays:
            slots.append(
                VenueSlot(
                    venue=venue,
                    starts_at=timezone.make_aware(datetime.combine(day, plan.start)),
                    ends_at=timezone.make_aware(datetime.combine(day, plan.end)),
                    capacity=plan.capacity,
                )
            )
        day += timedelta(days=1)
    existing = set(
        VenueSlot.objects.filter(
            venue=venue, starts_at__in=[slot.starts_at for slot in slots]
        ).values_list("starts_at", flat=True)
    )
    new = [slot for slot in slots if slot.starts_at not in existing]
    VenueSlot.objects.bulk_create(new)
    return len(new)


# --- bookings -----------------------------------------------------------------------------------


class BookingRefused(Exception):
    """The booking cannot be made or cancelled; str() is the translated reason."""


def booking_create(*, member: Member, slot_id: int, now: datetime | None = None) -> Booking:
    """Book a place in a slot, never over its capacity nor over the member's limit.

    The member's row and then the slot's row are locked (SELECT … FOR UPDATE on PostgreSQL;
    SQLite's IMMEDIATE transactions admit one writer at a time), so concurrent bookings of one
    slot, or by one member, are counted one after another.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Member.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None or locked.status != MemberStatus.ACTIVE:
            raise BookingRefused(_("Only active members can book venues."))
        slot = (
            VenueSlot.objects.select_for_update()
            .select_related("venue__point")
            .filter(pk=slot_id)
            .first()
        )
        if slot is None:
            raise BookingRefused(_("This time slot does not exist."))
        venue = slot.venue
        if not venue.active or venue.point.status != PointStatus.ACTIVE:
            raise BookingRefused(_("This venue is not open for booking."))
        if slot.starts_at <= now:
            raise BookingRefused(_("This time slot has already begun."))
        mine = Booking.objects.filter(member=locked, status=BookingStatus.BOOKED)
        if mine.filter(slot=slot).exists():
            raise BookingRefused(_("You have already booked this time slot."))
        held = mine.filter(slot__venue=venue, slot__starts_at__gt=now).count()
        if held >= venue.member_limit:
            raise BookingRefused(
                _("You already hold %(n)d bookings at this venue, the most allowed.") % {"n": held}
            )
        taken = Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count()
        if taken >= slot.capacity:
            raise BookingRefused(_("This time slot is fully booked."))
        return Booking.objects.create(slot=slot, member=locked)


def booking_cancel(
    *, booking: Booking, member: Member | None = None, user: Any = None,
    now: datetime | None = None,
) -> Booking:  # fmt: skip
    """Cancel a booking: the member up to the venue's deadline, staff in scope at any time."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .select_related("slot__venue__point__org")
            .get(pk=booking.pk)
        )
        if booking.status != BookingStatus.BOOKED:
            raise BookingRefused(_("This booking is already cancelled."))
        slot = booking.slot
        if user is not None:
            _manage(user)
            if not org_in_scope(slot.venue.point.org, user=user):
                raise PermissionDenied(_("This booking is outside your scope."))
        else:
            if member is None or booking.member_id != member.pk:
                raise BookingRefused(_("This is not your booking."))
            deadline = slot.starts_at - timedelta(hours=slot.venue.cancel_hours)
            if now >= deadline:
                raise BookingRefused(
                    _("Bookings can be cancelled until %(hours)d hours before the start.")
                    % {"hours": slot.venue.cancel_hours}
                )
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = user
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        return booking
