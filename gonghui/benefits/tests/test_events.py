"""Events: sign-up, waiting list, promotion on cancellation, check-in, attendance, scope."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gonghui.benefits.models import SignupStatus
from gonghui.benefits.services.catalogue import profile_set, segment_save
from gonghui.benefits.services.events import (
    event_cancel,
    event_check_in,
    event_save,
    event_sign_up,
    event_sign_up_cancel,
)
from gonghui.benefits.tests.helpers import event_at, member_at, portal_client
from gonghui.notify.models import OutboxMessage
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def test_sign_ups_beyond_capacity_wait_in_order(city):
    event = event_at(city.street, capacity=2)
    members = [member_at(city.community) for _ in range(4)]
    statuses = [event_sign_up(event=event, member=m).status for m in members]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_a_cancellation_promotes_the_first_on_the_waiting_list(city):
    event = event_at(city.street, capacity=1)
    first, second, third = (member_at(city.community) for _ in range(3))
    taken = event_sign_up(event=event, member=first)
    waiting_first = event_sign_up(event=event, member=second)
    event_sign_up(event=event, member=third)
    promoted = event_sign_up_cancel(signup=taken)
    assert [s.pk for s in promoted] == [waiting_first.pk]
    waiting_first.refresh_from_db()
    assert waiting_first.status == SignupStatus.CONFIRMED
    assert event.signups.filter(status=SignupStatus.WAITLISTED).get().member == third
    assert OutboxMessage.objects.filter(template="event_promoted").count() == 1


def test_cancelling_a_waiting_sign_up_promotes_nobody(city):
    event = event_at(city.street, capacity=1)
    event_sign_up(event=event, member=member_at(city.community))
    waiting = event_sign_up(event=event, member=member_at(city.community))
    assert event_sign_up_cancel(signup=waiting) == []


def test_signing_up_twice_keeps_one_sign_up(city, worker):
    event = event_at(city.street)
    assert (
        event_sign_up(event=event, member=worker).pk == event_sign_up(event=event, member=worker).pk
    )


def test_raising_the_capacity_lets_the_waiting_in(city):
    event = event_at(city.street, capacity=1)
    event_sign_up(event=event, member=member_at(city.community))
    waiting = event_sign_up(event=event, member=member_at(city.community))
    event_save(event=event, org=event.org, title=event.title, kind=event.kind,
               starts_at=event.starts_at, place=event.place, capacity=2)  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED


def test_sign_up_notifies_by_sms(city, worker):
    event = event_at(city.street, capacity=1, title="技能比武：焊工")
    event_sign_up(event=event, member=worker)
    message = OutboxMessage.objects.get(template="event_signed_up")
    assert "技能比武：焊工" in message.body


def test_members_outside_the_segment_cannot_sign_up(city, worker):
    outdoor = segment_save(org=city.street, name="户外劳动者", rules={"outdoor_worker": True})
    event = event_at(city.street, segment=outdoor)
    with pytest.raises(ValidationError):
        event_sign_up(event=event, member=worker)
    profile_set(member=worker, outdoor_worker=True)
    assert event_sign_up(event=event, member=worker).status == SignupStatus.CONFIRMED


def test_members_of_another_district_cannot_sign_up(city):
    event = event_at(city.street)
    with pytest.raises(ValidationError):
        event_sign_up(event=event, member=member_at(city.other_community))


def test_a_cancelled_event_takes_no_sign_up(city, worker, street_officer):
    event = event_cancel(user=street_officer, event=event_at(city.street))
    with pytest.raises(ValidationError):
        event_sign_up(event=event, member=worker)


def test_check_in_needs_the_code_shown_at_the_venue(city, worker):
    event = event_at(city.street)
    event_sign_up(event=event, member=worker)
    with pytest.raises(ValidationError):
        event_check_in(event=event, member=worker, code="WRONG1")
    signup = event_check_in(event=event, member=worker, code=event.checkin_code.lower())
    assert signup.checked_in_at is not None


def test_portal_sign_up_cancel_and_check_in(city, worker):
    event = event_at(city.street, capacity=5)
    client = portal_client(worker)
    assert client.get(f"/portal/benefits/events/{event.pk}/").status_code == 200
    client.post(f"/portal/benefits/events/{event.pk}/signup/")
    page = client.get(f"/portal/benefits/events/{event.pk}/").content.decode()
    assert 'data-status="confirmed"' in page
    assert "共5个，已报1人" in page
    client.post(f"/portal/benefits/events/{event.pk}/checkin/", {"code": event.checkin_code})
    assert event.signups.get().checked_in_at is not None


def test_portal_shows_the_waiting_position(city, worker):
    event = event_at(city.street, capacity=1)
    event_sign_up(event=event, member=member_at(city.community))
    client = portal_client(worker)
    client.post(f"/portal/benefits/events/{event.pk}/signup/")
    page = client.get(f"/portal/benefits/events/{event.pk}/").content.decode()
    assert 'data-status="waitlisted"' in page


def test_the_portal_sends_anonymous_workers_to_sign_in(city):
    event = event_at(city.street)
    response = portal_client_anonymous().get(f"/portal/benefits/events/{event.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


def portal_client_anonymous():
    from django.test import Client

    return Client()


def test_officer_outside_the_subtree_gets_404_on_events(city, other_district_officer):
    event = event_at(city.community)
    signup = event_sign_up(event=event, member=member_at(city.community))
    client = logged_in(other_district_officer)
    assert client.get(f"/benefits/events/{event.pk}/").status_code == 404
    assert client.post(f"/benefits/events/{event.pk}/cancel/").status_code == 404
    assert client.post(f"/benefits/signups/{signup.pk}/attended/").status_code == 404
    assert event.title not in client.get("/benefits/events/").content.decode()


def test_officer_sees_sign_ups_and_records_attendance(city, street_officer):
    event = event_at(city.community)
    signup = event_sign_up(event=event, member=member_at(city.community, name="王小芳"))
    client = logged_in(street_officer)
    page = client.get(f"/benefits/events/{event.pk}/").content.decode()
    assert "王小芳" in page
    assert event.checkin_code in page
    client.post(f"/benefits/signups/{signup.pk}/attended/")
    signup.refresh_from_db()
    assert signup.checked_in_at is not None


def test_cancelling_an_event_tells_everyone_signed_up_or_waiting(city, street_officer):
    event = event_at(city.street, capacity=1)
    for _ in range(2):
        event_sign_up(event=event, member=member_at(city.community))
    event_cancel(user=street_officer, event=event)
    event_cancel(user=street_officer, event=event)
    assert OutboxMessage.objects.filter(template="event_cancelled").count() == 2
