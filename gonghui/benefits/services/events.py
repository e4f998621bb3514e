"""Events: sign-up with a waiting list, cancellation promoting the first waiting, check-in.

Every sign-up and cancellation locks the event row first, so the confirmed count never exceeds
the capacity however many members sign up at the same moment.
"""

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.benefits.models import Event, EventSignup, Segment, SignupStatus
from gonghui.benefits.notifications import member_notify
from gonghui.benefits.selectors import member_in_audience
from gonghui.benefits.services.catalogue import segment_fits
from gonghui.members.models import Member
from gonghui.orgs.models import UnionOrg

_CHECKIN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def checkin_code_new() -> str:
    return "".join(secrets.choice(_CHECKIN_ALPHABET) for _ in range(6))


@transaction.atomic
def event_save(
    *,
    org: UnionOrg,
    title: str,
    kind: str,
    starts_at: datetime,
    place: str,
    capacity: int,
    description: str = "",
    segment: Segment | None = None,
    event: Event | None = None,
) -> Event:
    if capacity < 1:
        raise ValidationError({"capacity": _("An event has room for at least one person.")})
    segment_fits(org=org, segment=segment)
    if event is not None:
        confirmed = event.signups.filter(status=SignupStatus.CONFIRMED).count()
        if capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)d members are signed up already; the capacity cannot be lower."
                    )
                    % {"count": confirmed}
                }
            )
    event = event or Event(checkin_code=checkin_code_new())
    event.org, event.title, event.kind = org, title.strip(), kind
    event.starts_at, event.place, event.capacity = starts_at, place.strip(), capacity
    event.description, event.segment = description.strip(), segment
    event.save()
    _promote(event)  # a raised capacity lets the first waiting in
    return event


def _variables(event: Event) -> dict[str, str]:
    return {
        "event": event.title,
        "date": date_format(timezone.localtime(event.starts_at), "Y-m-d H:i"),
    }


def _promote(event: Event) -> list[EventSignup]:
    """Fill free places from the head of the waiting list (event row locked by the caller)."""
    confirmed = event.signups.filter(status=SignupStatus.CONFIRMED).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    waiting = list(
        event.signups.filter(status=SignupStatus.WAITLISTED)
        .select_related("member")
        .order_by("created_at", "pk")[:free]
    )
    for signup in waiting:
        signup.status = SignupStatus.CONFIRMED
        signup.save(update_fields=["status"])
        member_notify(
            member=signup.member,
            template="event_promoted",
            variables=_variables(event),
            reference=f"event:{event.pk}",
        )
    return waiting


def waitlist_position(signup: EventSignup) -> int:
    if signup.status != SignupStatus.WAITLISTED:
        return 0
    ahead = signup.event.signups.filter(
        status=SignupStatus.WAITLISTED, created_at__lt=signup.created_at
    )
    same_time = signup.event.signups.filter(
        status=SignupStatus.WAITLISTED, created_at=signup.created_at, pk__lt=signup.pk
    )
    return ahead.count() + same_time.count() + 1


@transaction.atomic
def event_sign_up(*, event: Event, member: Member) -> EventSignup:
    """Sign the member up: confirmed while places remain, else on the waiting list.

    Signing up again returns the live sign-up unchanged.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    live = event.signups.exclude(status=SignupStatus.CANCELLED).filter(member=member).first()
    if live is not None:
        return live
    if event.cancelled:
        raise ValidationError(_("The event was cancelled."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("The event has started; sign-up is closed."))
    if not member_in_audience(member=member, org=event.org, segment=event.segment):
        raise ValidationError(_("This event is not open to you."))
    confirmed = event.signups.filter(status=SignupStatus.CONFIRMED).count()
    status = SignupStatus.CONFIRMED if confirmed < event.capacity else SignupStatus.WAITLISTED
    try:
        with transaction.atomic():
            signup = EventSignup.objects.create(event=event, member=member, status=status)
    except IntegrityError:  # the same member twice at once: the other request won
        return event.signups.exclude(status=SignupStatus.CANCELLED).get(member=member)
    if status == SignupStatus.CONFIRMED:
        member_notify(
            member=member,
            template="event_signed_up",
            variables=_variables(event),
            reference=f"event:{event.pk}",
        )
    else:
        member_notify(
            member=member,
            template="event_waitlisted",
            variables={**_variables(event), "position": str(waitlist_position(signup))},
            reference=f"event:{event.pk}",
        )
    return signup


@transaction.atomic
def event_sign_up_cancel(*, signup: EventSignup) -> list[EventSignup]:
    """Cancel a sign-up; a freed place goes to the first on the waiting list (returned)."""
    event = Event.objects.select_for_update().get(pk=signup.event_id)
    signup = EventSignup.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        return []
    if signup.checked_in_at is not None:
        raise ValidationError(_("You checked in already; the sign-up cannot be cancelled."))
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    return _promote(event) if was_confirmed and not event.cancelled else []


@transaction.atomic
def event_check_in(*, event: Event, member: Member, code: str) -> EventSignup:
    """The member checks in with the code shown at the venue."""
    signup = (
        EventSignup.objects.select_for_update()
        .filter(event=event, member=member, status=SignupStatus.CONFIRMED)
        .first()
    )
    if signup is None:
        raise ValidationError(_("You are not signed up for this event."))
    if "".join(code.split()).upper() != event.checkin_code:
        raise ValidationError({"code": _("The check-in code is not right.")})
    if signup.checked_in_at is None:
        signup.checked_in_at = timezone.now()
        signup.save(update_fields=["checked_in_at"])
    return signup


@transaction.atomic
def signup_mark_attended(*, signup: EventSignup) -> EventSignup:
    """Staff record attendance of a confirmed member (who came without checking in)."""
    signup = EventSignup.objects.select_for_update().get(pk=signup.pk)
    if signup.status != SignupStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed sign-up can be marked as attended."))
    if signup.checked_in_at is None:
        signup.checked_in_at = timezone.now()
        signup.save(update_fields=["checked_in_at"])
    return signup


@transaction.atomic
def event_cancel(*, user: Any, event: Event) -> Event:
    """Cancel the event; everyone signed up or waiting gets an SMS (once)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled:
        return event
    event.cancelled = True
    event.save(update_fields=["cancelled"])
    live = event.signups.exclude(status=SignupStatus.CANCELLED).select_related("member")
    for signup in live:
        member_notify(
            member=signup.member,
            template="event_cancelled",
            variables=_variables(event),
            reference=f"event:{event.pk}",
        )
    return event
