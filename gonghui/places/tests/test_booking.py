"""Venue booking: capacity, per-member limits, cancellation, and concurrency."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.members.models import Member, MemberStatus
from gonghui.members.tests.factories import MemberFactory
from gonghui.members.tests.test_cards import _in_threads  # threads released together
from gonghui.places.models import Booking, BookingStatus, VenueSlot
from gonghui.places.services import (
    BookingRefused,
    SlotPlan,
    booking_cancel,
    booking_create,
    slots_create,
)
from gonghui.places.tests.factories import slot_of, venue_at
from gonghui.testing import logged_in


@pytest.fixture
def venue(city):
    return venue_at(city.community, member_limit=2, cancel_hours=2)


@pytest.mark.django_db
def test_a_slot_is_never_booked_over_its_capacity(city, venue):
    slot = slot_of(venue, capacity=2)
    members = MemberFactory.create_batch(3, org=city.community)
    booking_create(member=members[0], slot_id=slot.pk)
    booking_create(member=members[1], slot_id=slot.pk)
    with pytest.raises(BookingRefused, match="约满"):
        booking_create(member=members[2], slot_id=slot.pk)


@pytest.mark.django_db
def test_a_member_books_a_slot_once(city, venue):
    slot = slot_of(venue)
    member = MemberFactory(org=city.community)
    booking_create(member=member, slot_id=slot.pk)
    with pytest.raises(BookingRefused, match="您已预约此时段"):
        booking_create(member=member, slot_id=slot.pk)


@pytest.mark.django_db
def test_a_member_holds_at_most_the_venues_limit_of_future_bookings(city, venue):
    member = MemberFactory(org=city.community)
    slots = [slot_of(venue, days=d) for d in (1, 2, 3)]
    booking_create(member=member, slot_id=slots[0].pk)
    booking_create(member=member, slot_id=slots[1].pk)
    with pytest.raises(BookingRefused, match="已达上限"):
        booking_create(member=member, slot_id=slots[2].pk)
    # Another venue has its own limit.
    other = venue_at(city.community, name="乒乓球室")
    booking_create(member=member, slot_id=slot_of(other).pk)


@pytest.mark.django_db
def test_a_cancelled_booking_frees_its_place_and_counts_no_more(city, venue):
    slot = slot_of(venue, capacity=1)
    first, second = MemberFactory.create_batch(2, org=city.community)
    booking = booking_create(member=first, slot_id=slot.pk)
    booking_cancel(booking=booking, member=first)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    booking_create(member=second, slot_id=slot.pk)


@pytest.mark.django_db
def test_members_cancel_only_before_the_deadline_and_only_their_own(city, venue):
    member, other = MemberFactory.create_batch(2, org=city.community)
    slot = slot_of(venue)
    booking = booking_create(member=member, slot_id=slot.pk)
    with pytest.raises(BookingRefused, match="不是您的预约"):
        booking_cancel(booking=booking, member=other)
    late = slot.starts_at - timedelta(hours=1)
    with pytest.raises(BookingRefused, match="开始前 2 小时"):
        booking_cancel(booking=booking, member=member, now=late)


@pytest.mark.django_db
def test_staff_cancel_any_booking_in_scope_at_any_time(city, venue, street_officer):
    booking = booking_create(member=MemberFactory(org=city.community), slot_id=slot_of(venue).pk)
    booking_cancel(booking=booking, user=street_officer, now=booking.slot.starts_at)
    assert Booking.objects.get(pk=booking.pk).cancelled_by == street_officer


@pytest.mark.django_db
def test_past_slots_and_lapsed_members_cannot_book(city, venue):
    slot = slot_of(venue)
    with pytest.raises(BookingRefused, match="已经开始"):
        booking_create(
            member=MemberFactory(org=city.community), slot_id=slot.pk, now=slot.starts_at
        )
    lapsed = MemberFactory(org=city.community)
    Member.objects.filter(pk=lapsed.pk).update(status=MemberStatus.LAPSED)
    with pytest.raises(BookingRefused, match="在册会员"):
        booking_create(member=lapsed, slot_id=slot.pk)


@pytest.mark.django_db
def test_planning_slots_twice_adds_nothing_the_second_time(city, venue, street_officer):
    today = timezone.localdate()
    plan = SlotPlan(
        first_day=today + timedelta(days=1), last_day=today + timedelta(days=14),
        weekdays=frozenset({5, 6}), start=timezone.datetime.min.time().replace(hour=9),
        end=timezone.datetime.min.time().replace(hour=11), capacity=30,
    )  # fmt: skip
    assert slots_create(user=street_officer, venue=venue, plan=plan) == 4
    assert slots_create(user=street_officer, venue=venue, plan=plan) == 0
    assert VenueSlot.objects.filter(venue=venue).count() == 4


# --- concurrency (PostgreSQL row locks; SQLite's IMMEDIATE transactions) -----------------------


def _booker(member, slot, refused: list[str]):
    """A job booking `slot` for `member`, noting the reason when refused."""

    def job():
        try:
            booking_create(member=member, slot_id=slot.pk)
        except BookingRefused as exc:
            refused.append(str(exc))

    return job


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_exceed_the_capacity(city):
    slot = slot_of(venue_at(city.community, member_limit=5), capacity=3)
    members = MemberFactory.create_batch(10, org=city.community)
    refused: list[str] = []
    _in_threads([_booker(m, slot, refused) for m in members])
    assert Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count() == 3
    assert len(refused) == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_by_one_member_never_exceed_their_limit(city):
    venue = venue_at(city.community, member_limit=2)
    slots = [slot_of(venue, days=d) for d in range(1, 7)]
    member = MemberFactory(org=city.community)
    refused: list[str] = []
    _in_threads([_booker(member, s, refused) for s in slots])
    assert Booking.objects.filter(member=member, status=BookingStatus.BOOKED).count() == 2
    assert len(refused) == 4


# --- staff pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_venue_page_shows_slots_and_bookings_in_scope(city, venue, street_officer):
    member = MemberFactory(org=city.community, name="王小明")
    booking_create(member=member, slot_id=slot_of(venue).pk)
    body = logged_in(street_officer).get(reverse("places:venue", args=[venue.pk])).content.decode()
    assert "王小明" in body
    assert member.phone_masked in body


@pytest.mark.django_db
def test_an_officer_of_another_district_gets_404_on_venues_and_bookings(
    city, venue, other_district_officer
):
    booking = booking_create(member=MemberFactory(org=city.community), slot_id=slot_of(venue).pk)
    client = logged_in(other_district_officer)
    assert client.get(reverse("places:venue", args=[venue.pk])).status_code == 404
    assert client.post(reverse("places:booking_cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("places:venue_slots", args=[venue.pk])).status_code == 404
    listing = client.get(reverse("places:bookings")).content.decode()
    assert booking.member.name not in listing
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
