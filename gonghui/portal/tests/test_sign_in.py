"""Signing in with the phone and a one-time SMS code: rate limited, single use, expiring."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.appeals.tests.scope_routes import _appeal_at
from gonghui.core.ratelimit_settings import Rate
from gonghui.members.models import MemberCard
from gonghui.members.services.cards import card_number_for
from gonghui.members.tests.factories import MemberFactory
from gonghui.notify.models import OutboxMessage
from gonghui.portal.auth import SESSION_KEY
from gonghui.portal.models import SignInCode
from gonghui.portal.services import (
    CodeTooSoon,
    sign_in_code_send,
    sign_in_code_verify,
)

PHONE = "13812345678"
PII = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")


@pytest.fixture
def member(city):
    return MemberFactory(org=city.community, phone=PHONE, name="李红")


def _sent_code() -> str:
    message = OutboxMessage.objects.filter(template="portal_sign_in_code").latest("pk")
    return re.search(r"\d{6}", message.body)[0]


def _sign_in(client: Client, phone: str = PHONE) -> str:
    client.post(reverse("portal:login"), {"phone": phone})
    return _sent_code()


@pytest.mark.django_db
def test_a_member_signs_in_with_the_code_sent_by_sms(member):
    client = Client()
    code = _sign_in(client)
    response = client.post(reverse("portal:verify"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == member.pk
    assert "portal_pending_phone" not in client.session


@pytest.mark.django_db
def test_the_code_is_stored_hashed_only(member):
    sign_in_code_send(phone=PHONE)
    code = _sent_code()
    stored = SignInCode.objects.get()
    assert code not in stored.code_hash
    assert PHONE not in stored.phone_index


@pytest.mark.django_db
def test_a_code_works_once(member):
    sign_in_code_send(phone=PHONE)
    code = _sent_code()
    assert sign_in_code_verify(phone=PHONE, code=code) == member
    assert sign_in_code_verify(phone=PHONE, code=code) is None


@pytest.mark.django_db
def test_a_code_expires(member, settings):
    settings.PORTAL_CODE_TTL_SECONDS = 300
    sent_at = timezone.now()
    sign_in_code_send(phone=PHONE, now=sent_at)
    code = _sent_code()
    later = sent_at + timedelta(seconds=301)
    assert sign_in_code_verify(phone=PHONE, code=code, now=later) is None
    assert (
        sign_in_code_verify(phone=PHONE, code=code, now=sent_at + timedelta(seconds=299)) == member
    )


@pytest.mark.django_db
def test_too_many_wrong_tries_void_the_code(member, settings):
    settings.PORTAL_CODE_MAX_ATTEMPTS = 3
    sign_in_code_send(phone=PHONE)
    code = _sent_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        assert sign_in_code_verify(phone=PHONE, code=wrong) is None
    assert sign_in_code_verify(phone=PHONE, code=code) is None


@pytest.mark.django_db
def test_a_new_code_waits_for_the_resend_interval(member, settings):
    settings.PORTAL_CODE_RESEND_SECONDS = 60
    now = timezone.now()
    sign_in_code_send(phone=PHONE, now=now)
    with pytest.raises(CodeTooSoon):
        sign_in_code_send(phone=PHONE, now=now + timedelta(seconds=30))
    sign_in_code_send(phone=PHONE, now=now + timedelta(seconds=61))
    assert OutboxMessage.objects.filter(template="portal_sign_in_code").count() == 2


@pytest.mark.django_db
def test_a_newer_code_replaces_the_older_one(member, settings):
    settings.PORTAL_CODE_RESEND_SECONDS = 0
    sign_in_code_send(phone=PHONE)
    first = _sent_code()
    sign_in_code_send(phone=PHONE)
    second = _sent_code()
    if first != second:
        assert sign_in_code_verify(phone=PHONE, code=first) is None
    assert sign_in_code_verify(phone=PHONE, code=second) == member


@pytest.mark.django_db
def test_a_phone_that_is_no_members_gets_the_same_answer_and_no_sms(city):
    client = Client()
    response = client.post(reverse("portal:login"), {"phone": "13700000000"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:verify")
    assert not OutboxMessage.objects.exists()
    answer = client.post(reverse("portal:verify"), {"code": "123456"})
    assert SESSION_KEY not in client.session
    assert "13700000000" not in answer.content.decode()


@pytest.mark.django_db
def test_codes_are_rate_limited_per_phone(member, settings):
    settings.PORTAL_CODE_RESEND_SECONDS = 0
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal_code.phone": Rate(2, 3600)}
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{n}")
        .post(reverse("portal:login"), {"phone": PHONE})
        .status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_codes_are_rate_limited_per_address(city, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal_code.address": Rate(2, 3600)}
    client = Client()
    statuses = [
        client.post(reverse("portal:login"), {"phone": f"1370000000{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


@pytest.mark.django_db
def test_code_guesses_are_rate_limited_per_address(member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal_verify.address": Rate(2, 3600)}
    client = Client()
    client.post(reverse("portal:login"), {"phone": PHONE})
    statuses = [
        client.post(reverse("portal:verify"), {"code": "000000"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_signing_in_starts_a_new_session_and_signing_out_ends_it(member):
    client = Client()
    code = _sign_in(client)
    before = client.session.session_key
    client.post(reverse("portal:verify"), {"code": code})
    assert client.session.session_key != before
    client.post(reverse("portal:logout"))
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:home")).status_code == 302


@pytest.mark.django_db
def test_the_portal_home_needs_a_sign_in_and_comes_back_after_it(member):
    client = Client()
    response = client.get(reverse("places:portal_venues"))
    assert response.status_code == 200
    home = client.get(reverse("portal:home"))
    assert home["Location"] == f"{reverse('portal:login')}?next=%2Fportal%2F"
    client.post(f"{reverse('portal:login')}?next=/portal/venues/", {"phone": PHONE})
    answer = client.post(reverse("portal:verify"), {"code": _sent_code()})
    assert answer["Location"] == "/portal/venues/"


@pytest.mark.django_db
def test_an_outside_next_address_is_ignored(member):
    client = Client()
    client.post(f"{reverse('portal:login')}?next=https://evil.example/", {"phone": PHONE})
    answer = client.post(reverse("portal:verify"), {"code": _sent_code()})
    assert answer["Location"] == reverse("portal:home")


# --- the home page: only the member's own data --------------------------------------------------


def _signed_in(member) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    return client


@pytest.mark.django_db
def test_home_shows_my_masked_card_my_appeals_and_nothing_of_others(city, member):
    card = MemberCard.objects.create(
        member=member, number=card_number_for(12345), issued_on=timezone.localdate()
    )
    other = MemberFactory(org=city.community, name="赵六")
    MemberCard.objects.create(
        member=other, number=card_number_for(54321), issued_on=timezone.localdate()
    )
    mine = _appeal_at(city, city.community)
    mine.member = member
    mine.save(update_fields=["member"])
    theirs = _appeal_at(city, city.community)
    body = _signed_in(member).get(reverse("portal:home")).content.decode()
    assert "李红" in body
    assert card.number[-4:] in body
    assert card.number not in body
    assert mine.tracking_code in body
    assert theirs.tracking_code not in body
    assert "赵六" not in body
    assert not PII.search(body)


@pytest.mark.django_db
def test_home_shows_my_join_application_status(city):
    from gonghui.members.services.joining import join_application_submit
    from gonghui.members.tests.factories import make_id_number

    id_number = make_id_number(777)
    application = join_application_submit(
        name="周八", id_number=id_number, phone="13611112222", employer=city.employer
    )
    member = MemberFactory(org=city.community, id_number=id_number, phone="13611112222")
    body = _signed_in(member).get(reverse("portal:home")).content.decode()
    assert 'data-testid="application-status"' in body
    assert application.org.name in body


@pytest.mark.django_db
def test_expired_codes_are_pruned(member):
    from gonghui.portal.services import sign_in_codes_prune

    long_ago = timezone.now() - timedelta(days=3)
    sign_in_code_send(phone=PHONE, now=long_ago)
    sign_in_code_send(phone="13700000001")
    assert sign_in_codes_prune() == 1
    assert SignInCode.objects.count() == 1
