"""The worker's portal: file an appeal, get the code, follow it, rate the reply."""

import pytest
from django.test import Client
from django.utils import translation

from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.tests.helpers import file_appeal, handler

pytestmark = pytest.mark.django_db


def _file(client, **overrides):
    data = {
        "name": "孙丽",
        "phone": "13712345678",
        "nature": "request",
        "category": "social_insurance",
        "employer": "",
        "workers_involved": "1",
        "content": "单位未缴纳社保",
        "consent": "on",
    }
    data.update(overrides)
    return client.post("/portal/appeals/new/", data, follow=True)


def test_a_worker_files_an_appeal_and_gets_the_tracking_code(city):
    response = _file(Client())
    appeal = Appeal.objects.get()
    assert appeal.channel == "web"
    assert appeal.tracking_code in response.content.decode()


def test_the_portal_never_echoes_the_phone(city):
    with translation.override("en"):
        response = _file(Client(), consent="")
    assert "13712345678" not in response.content.decode()
    assert not Appeal.objects.exists()


def test_following_needs_the_code_and_the_last_four_digits(city):
    appeal = file_appeal(city.city, phone="13700001234")
    right = Client().post(
        "/portal/appeals/follow/", {"code": appeal.tracking_code, "last4": "1234"}
    )
    wrong = Client().post(
        "/portal/appeals/follow/", {"code": appeal.tracking_code, "last4": "9999"}
    )
    assert 'data-testid="appeal-status"' in right.content.decode()
    assert 'data-testid="not-found"' in wrong.content.decode()
    assert appeal.name not in wrong.content.decode()


def test_the_worker_sees_the_reply_and_a_dissatisfied_rating_reopens(city):
    worker = handler("portal_handler", city.street)
    appeal = file_appeal(city.city, phone="13700001234", employer_uscc=city.employer.uscc)
    wf.appeal_accept(user=worker, appeal=appeal)
    wf.appeal_reply(user=worker, appeal=appeal, text="已责令单位补缴")
    page = Client().post("/portal/appeals/follow/", {"code": appeal.tracking_code, "last4": "1234"})
    assert "已责令单位补缴" in page.content.decode()
    assert 'data-testid="rate-form"' in page.content.decode()
    rated = Client().post(
        "/portal/appeals/rate/",
        {"code": appeal.tracking_code, "last4": "1234", "satisfaction": "dissatisfied"},
    )
    assert 'data-testid="reopened"' in rated.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.IN_PROGRESS
    assert appeal.supervised


def test_a_rating_with_wrong_digits_changes_nothing(city):
    worker = handler("portal_handler", city.street)
    appeal = file_appeal(city.city, phone="13700001234", employer_uscc=city.employer.uscc)
    wf.appeal_accept(user=worker, appeal=appeal)
    wf.appeal_reply(user=worker, appeal=appeal, text="答复")
    response = Client().post(
        "/portal/appeals/rate/",
        {"code": appeal.tracking_code, "last4": "0000", "satisfaction": "dissatisfied"},
    )
    assert response.status_code == 400
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REPLIED
