"""The worker's portal: ask for a consultation or legal aid, follow it with code + last 4."""

import pytest
from django.test import Client

from gonghui.legal.models import Consultation, LegalAidCase
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "consultation",
    "name": "郑工人",
    "phone": "13712345678",
    "topic": "wages",
    "employer": "某建筑公司",
    "question": "老板拖欠三个月工资，我该怎么办？",
}


def _send(client, **overrides):
    return client.post("/portal/legal/new/", {**FORM, **overrides})


def test_a_worker_asks_for_a_consultation_and_gets_a_lookup_code(city):
    client = Client()
    response = _send(client)
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.channel == "portal"
    assert consultation.org == city.city
    done = client.get(response["Location"])
    assert consultation.code in done.content.decode()
    assert OutboxMessage.objects.filter(reference=consultation.code).count() == 1


def test_a_worker_applies_for_legal_aid_and_the_check_runs(city):
    _send(Client(), kind="legal_aid", hardship="on", topic="injury")
    case = LegalAidCase.objects.get()
    assert case.case_type == "injury"
    assert case.eligible
    assert case.channel == "portal"


def test_following_with_the_code_and_last_4_digits_shows_the_status(city):
    _send(Client())
    consultation = Consultation.objects.get()
    response = Client().post("/portal/legal/follow/", {"code": consultation.code, "last4": "5678"})
    body = response.content.decode()
    assert 'data-testid="request-status"' in body
    assert 'data-status="open"' in body
    assert "13712345678" not in body


def test_wrong_digits_show_nothing(city):
    _send(Client())
    consultation = Consultation.objects.get()
    body = (
        Client()
        .post("/portal/legal/follow/", {"code": consultation.code, "last4": "0000"})
        .content.decode()
    )
    assert 'data-testid="not-found"' in body
    assert consultation.name not in body


def test_a_legal_aid_case_is_followed_too(city):
    _send(Client(), kind="legal_aid")
    case = LegalAidCase.objects.get()
    body = (
        Client()
        .post("/portal/legal/follow/", {"code": case.code.lower(), "last4": "5678"})
        .content.decode()
    )
    assert case.code in body


def test_a_bad_phone_is_refused_on_its_field(city):
    response = _send(Client(), phone="12345")
    assert response.status_code == 200
    assert not Consultation.objects.exists()


def test_asking_is_rate_limited_per_phone(city):
    client = Client()
    statuses = [_send(client).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
