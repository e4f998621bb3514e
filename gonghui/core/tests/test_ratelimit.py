"""Public endpoints answer 429 with a retry time once a per-address or per-phone limit is hit."""

import json
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation

from gonghui.core.models import RateLimitBucket
from gonghui.core.ratelimit import client_address, hit, rate_limited
from gonghui.core.ratelimit_settings import Rate, rate_limits_from_env
from gonghui.core.validators import normalize_mobile
from gonghui.members.tests.factories import make_id_number, make_phone
from gonghui.testing import run_gonghui

STATUS_URL = "/portal/join/status/"
JOIN_URL = "/portal/join/"


@pytest.fixture
def limits(settings):
    """Small limits for the test; returns a setter `limits(**{"name.subject": Rate})`."""

    def set_limits(**rates: Rate) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits


def _english_client(address: str = "10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def _lookup(client: Client, code: str) -> HttpResponse:
    return client.post(STATUS_URL, {"code": code, "last4": "1234"})


def _apply(client: Client, phone: str) -> HttpResponse:
    data = {
        "name": "张三",
        "id_number": make_id_number(1),
        "phone": phone,
        "q": "",
        "consent": "on",
    }
    return client.post(JOIN_URL, data)


@pytest.mark.django_db
def test_the_request_over_the_address_limit_gets_429_with_a_retry_time(limits):
    limits(**{"portal_join_status.address": Rate(3, 3600)})
    client = _english_client()
    for n in range(3):
        assert _lookup(client, f"CODE{n:04d}").status_code == 200

    response = _lookup(client, "CODE9999")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many requests. Please try again after" in response.content.decode()


@pytest.mark.django_db
def test_another_address_is_not_affected_by_a_used_up_address_limit(limits):
    limits(**{"portal_join_status.address": Rate(1, 3600)})
    _lookup(_english_client("10.0.0.1"), "CODE0001")
    assert _lookup(_english_client("10.0.0.1"), "CODE0002").status_code == 429

    assert _lookup(_english_client("10.0.0.2"), "CODE0003").status_code == 200


@pytest.mark.django_db
def test_a_lookup_code_is_limited_whatever_the_address(limits):
    limits(**{"portal_join_status.code": Rate(2, 3600)})
    for n in range(2):
        assert _lookup(_english_client(f"10.0.1.{n}"), "abcd-2345").status_code == 200

    assert _lookup(_english_client("10.0.1.9"), "ABCD2345").status_code == 429


@pytest.mark.django_db
def test_a_phone_is_limited_whatever_the_address(limits):
    limits(**{"portal_join.phone": Rate(2, 86_400)})
    phone = make_phone(1)
    for n in range(2):
        assert _apply(_english_client(f"10.0.2.{n}"), phone).status_code == 200

    # The same number written another way is the same phone.
    assert _apply(_english_client("10.0.2.9"), f"+86 {phone}").status_code == 429


@pytest.mark.django_db
def test_a_different_phone_from_the_same_address_is_stopped_by_the_address_limit(limits):
    limits(**{"portal_join.phone": Rate(5, 86_400), "portal_join.address": Rate(3, 3600)})
    client = _english_client()
    for n in range(3):
        assert _apply(client, make_phone(n)).status_code == 200

    assert _apply(client, make_phone(99)).status_code == 429


@pytest.mark.django_db
def test_an_invalid_phone_still_counts_against_the_address(limits):
    limits(**{"portal_join.address": Rate(1, 3600)})
    client = _english_client()
    _apply(client, "not a phone")

    assert _apply(client, "still not a phone").status_code == 429


@pytest.mark.django_db
def test_pages_are_not_counted_when_only_viewed(limits):
    limits(**{"portal_join.address": Rate(1, 3600)})
    client = _english_client()
    for _ in range(3):
        assert client.get(JOIN_URL).status_code == 200


@pytest.mark.django_db
def test_the_employer_picker_over_its_limit_gets_the_message_as_a_fragment(limits):
    limits(**{"portal_employers.address": Rate(1, 3600)})
    client = _english_client()
    client.get("/portal/employers/", {"q": "北京"}, headers={"HX-Request": "true"})

    response = client.get("/portal/employers/", {"q": "北京"}, headers={"HX-Request": "true"})

    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="rate-limited"' in body
    assert "<html" not in body


@pytest.mark.django_db
def test_json_operations_answer_json_with_the_retry_time(limits):
    limits(**{"portal_join.phone": Rate(1, 86_400), "portal_join.address": Rate(100, 3600)})
    view = rate_limited("portal_join", keys={"phone": normalize_mobile}, as_json=True)(
        lambda request: HttpResponse("ok")
    )
    factory = RequestFactory()
    body = {"phone": make_phone(7)}
    view(factory.post("/x", body, content_type="application/json"))

    with translation.override("en"):
        response = view(factory.post("/x", body, content_type="application/json"))

    assert response.status_code == 429
    data = json.loads(response.content)
    assert data["retry_after"] == int(response["Retry-After"])
    assert data["detail"].startswith("Too many requests.")


@pytest.mark.django_db
def test_neither_the_phone_nor_the_address_is_stored(limits):
    phone = make_phone(3)
    _apply(_english_client("10.9.8.7"), phone)

    keys = " ".join(RateLimitBucket.objects.values_list("key", flat=True))
    assert keys.count("portal_join.") == 2
    assert phone not in keys
    assert "10.9.8.7" not in keys


@pytest.mark.django_db
def test_buckets_of_ended_windows_are_deleted():
    rate = Rate(5, 60)
    hit("old", rate, now=1_000_000)
    hit("old", rate, now=1_000_001)

    hit("new", rate, now=1_000_200)

    assert list(RateLimitBucket.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_each_counted_once():
    rate, threads, per_thread = Rate(1000, 3600), 6, 20
    seen: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            counts = [hit("busy", rate, now=5_000_000)[0] for _ in range(per_thread)]
            with lock:
                seen.extend(counts)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert sorted(seen) == list(range(1, threads * per_thread + 1))


@pytest.mark.django_db(transaction=True)
def test_counts_are_shared_between_processes(limits):
    limits(**{"portal_join_status.address": Rate(2, 3600)})
    # Two lookups from 10.0.0.1 in another process (another app server, in production).
    code = (
        "from django.test import Client\n"
        "c = Client(REMOTE_ADDR='10.0.0.1', HTTP_HOST='localhost')\n"
        "for n in range(2): print(c.post('/portal/join/status/', "
        "{'code': f'CODE{n}', 'last4': '1234'}).status_code)\n"
    )
    child = run_gonghui(
        "shell", "-v", "0", "-c", code, GONGHUI_RATE_LIMITS="portal_join_status.address=2/h"
    )
    assert child.stdout.split() == ["200", "200"], child.stderr

    assert _lookup(_english_client("10.0.0.1"), "CODE0003").status_code == 429


def test_behind_a_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    assert client_address(request) == "203.0.113.9"


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert client_address(request) == "198.51.100.4"


def test_limits_are_configured_from_the_environment():
    limits = rate_limits_from_env("portal_join.address=100/10m, portal_join.phone=3/d")

    assert limits["portal_join.address"] == Rate(100, 600)
    assert limits["portal_join.phone"] == Rate(3, 86_400)


@pytest.mark.parametrize(
    "raw", ["portal_join.address=20/x", "portal_join.address=0/h", "nowhere.address=5/h", "5/h"]
)
def test_a_bad_limit_setting_is_an_error(raw):
    with pytest.raises(ImproperlyConfigured, match="GONGHUI_RATE_LIMITS"):
        rate_limits_from_env(raw)
