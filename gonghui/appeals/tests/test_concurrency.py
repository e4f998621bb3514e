"""200 concurrent intake requests, 50 of which reuse keys: exactly the distinct appeals."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from gonghui.appeals.models import Appeal, IntakeRequest
from gonghui.appeals.services.intake import channel_client_create

pytestmark = pytest.mark.django_db(transaction=True)

DISTINCT = 150
REUSED = 50


def test_concurrent_duplicates_never_create_a_second_appeal(city, seeded):
    _client, token = channel_client_create(channel="sms", name="gateway", org=city.city)

    def request(n: int):
        # Requests 150…199 repeat the keys (and bodies) of requests 0…49.
        key = n if n < DISTINCT else n - DISTINCT
        data = {
            "channel": "sms",
            "nature": "request",
            "category": "wage_arrears",
            "content": f"第{key}号诉求：拖欠工资",
            "name": "赵强",
            "phone": f"139{key:08d}",
            "employer_uscc": city.employer.uscc,
        }
        try:
            response = Client().post(
                "/api/v1/appeals",
                data=json.dumps(data),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k{key}"},
            )
            return key, response.status_code, response.json()
        finally:
            connections.close_all()

    order = list(range(DISTINCT + REUSED))
    # Interleave, so that a repeat often runs while its original is still in flight.
    order = [
        n for pair in zip(order[:REUSED], order[DISTINCT:], strict=True) for n in pair
    ] + order[REUSED:DISTINCT]
    workers = 8 if connection.vendor == "sqlite" else 16
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(request, order))

    assert Appeal.objects.count() == DISTINCT
    assert IntakeRequest.objects.count() == DISTINCT
    by_key: dict[int, dict] = {}
    for key, status, answer in results:
        assert status in (201, 409), answer
        if status == 201:
            assert answer["tracking_code"]
            assert answer["assigned_org"]
            assert answer["deadline"]
            # A replay is the original response, word for word.
            assert by_key.setdefault(key, answer) == answer
    assert len(by_key) == DISTINCT
    stored = set(Appeal.objects.values_list("tracking_code", flat=True))
    assert {answer["tracking_code"] for answer in by_key.values()} == stored
