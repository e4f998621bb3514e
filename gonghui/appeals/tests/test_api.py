"""POST /api/v1/appeals (channel clients, Idempotency-Key) and the staff reads."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from gonghui.appeals.models import Appeal, ChannelClient, IntakeRequest
from gonghui.appeals.services.intake import channel_client_create, intake_keys_prune
from gonghui.appeals.tests.helpers import file_appeal
from gonghui.testing import api_client, run_gonghui

pytestmark = pytest.mark.django_db


def channel_client(org, channel: str = "sms") -> Client:
    _client, token = channel_client_create(channel=channel, name="短信网关", org=org)
    return Client(headers={"Authorization": f"Bearer {token}"})


def body(**overrides):
    data = {
        "channel": "sms",
        "nature": "request",
        "category": "wage_arrears",
        "content": "公司拖欠工资两个月",
        "name": "王芳",
        "phone": "13911112222",
        "workers_involved": 1,
    }
    data.update(overrides)
    return data


def post(client, data, key="key-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/appeals", data=json.dumps(data), content_type="application/json", headers=headers
    )


def test_a_channel_client_files_an_appeal(city):
    response = post(channel_client(city.city), body(employer_uscc=city.employer.uscc))
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) >= {"id", "tracking_code", "status", "assigned_org", "deadline"}
    assert answer["assigned_org"] == city.street.code
    appeal = Appeal.objects.get(pk=answer["id"])
    assert appeal.channel == "sms"
    assert appeal.channel_client is not None


def test_the_same_key_and_body_return_the_original_response(city):
    client = channel_client(city.city)
    first = post(client, body())
    again = post(client, body())
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(city):
    client = channel_client(city.city)
    post(client, body())
    response = post(client, body(content="另一件事"))
    assert response.status_code == 422
    assert Appeal.objects.count() == 1


def test_keys_belong_to_one_client(city):
    post(channel_client(city.city), body())
    other = post(channel_client(city.city), body())
    assert other.status_code == 201
    assert Appeal.objects.count() == 2


def test_a_request_without_idempotency_key_is_refused(city):
    response = post(channel_client(city.city), body(), key=None)
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_a_client_files_only_its_own_channel(city):
    response = post(channel_client(city.city, "weibo"), body(channel="sms"))
    assert response.status_code == 422


def test_an_invalid_field_is_named_and_nothing_is_stored(city):
    response = post(channel_client(city.city), body(phone="123"))
    assert response.status_code == 422
    assert "phone" in response.json()["detail"]
    # The key was not used up: the corrected request goes through.
    assert post(channel_client(city.city), body()).status_code == 201


def test_a_bad_token_is_refused(city):
    client = Client(headers={"Authorization": "Bearer ghc_not-a-token"})
    assert post(client, body()).status_code == 401


def test_a_revoked_client_is_refused(city):
    client = channel_client(city.city)
    ChannelClient.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert post(client, body()).status_code == 401


def test_a_client_of_one_district_cannot_file_into_another(city):
    response = post(channel_client(city.district), body(org_code=city.other_district.code))
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_create_channel_client_prints_a_token_that_works(city, seeded):
    result = run_gonghui("create_channel_client", "weibo", "微博监测", "--org", city.city.code)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("ghc_")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert post(client, body(channel="weibo")).status_code == 201


# --- staff reads ---------------------------------------------------------------------------------


def test_staff_list_appeals_of_their_subtree_with_masked_phones(city, street_officer):
    mine = file_appeal(city.city, employer_uscc=city.employer.uscc, phone="13900005678")
    foreign = file_appeal(city.city, employer_uscc=city.other_employer.uscc)
    response = api_client(street_officer).get("/api/v1/appeals")
    assert response.status_code == 200
    answer = response.json()
    codes = [item["tracking_code"] for item in answer["items"]]
    assert codes == [mine.tracking_code]
    assert answer["count"] == 1
    assert foreign.tracking_code not in response.content.decode()
    assert answer["items"][0]["phone"] == "139****5678"
    assert "13900005678" not in response.content.decode()


def test_the_list_filters_by_status_channel_category_org_and_dates(city, district_officer):
    file_appeal(city.city, employer_uscc=city.employer.uscc, category_code="social_insurance")
    file_appeal(city.city, employer_uscc=city.sibling_employer.uscc, channel="weibo")
    client = api_client(district_officer)

    def count(query):
        return client.get(f"/api/v1/appeals?{query}").json()["count"]

    assert count("") == 2
    assert count("channel=weibo") == 1
    assert count("category=social_insurance") == 1
    assert count(f"org={city.street.code}") == 1
    assert count("status=received") + count("status=dispatched") == 2
    assert count("from=2000-01-01&to=2000-01-02") == 0


def test_one_appeal_by_tracking_code_is_masked(city, street_officer):
    appeal = file_appeal(
        city.city, employer_uscc=city.employer.uscc, id_number="11010519491231002X"
    )
    response = api_client(street_officer).get(f"/api/v1/appeals/{appeal.tracking_code}")
    assert response.status_code == 200
    assert response.json()["id_number"] == "110105********002X"
    assert "11010519491231002X" not in response.content.decode()


def test_another_districts_appeal_answers_404(city, street_officer):
    foreign = file_appeal(city.city, employer_uscc=city.other_employer.uscc)
    response = api_client(street_officer).get(f"/api/v1/appeals/{foreign.tracking_code}")
    assert response.status_code == 404


def test_a_staff_token_cannot_file_through_the_channel_api(city, street_officer):
    response = post(api_client(street_officer), body(channel="hotline"))
    assert response.status_code == 401
    assert not Appeal.objects.exists()


def test_an_unregistered_credit_code_files_the_appeal_unmatched(city):
    response = post(channel_client(city.city), body(employer_uscc="91350100M000100Y43"))
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.employer is None
    assert appeal.employer_name == "91350100M000100Y43"


def test_the_schema_says_the_idempotency_key_is_required(city):
    from gonghui.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/appeals"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["required"] is True


def test_an_appeal_without_employer_or_handler_reads_fine(city, city_admin):
    appeal = file_appeal(city.city)
    response = api_client(city_admin).get(f"/api/v1/appeals/{appeal.tracking_code}")
    assert response.status_code == 200
    assert response.json()["employer_uscc"] is None
    assert response.json()["handler"] is None


def test_keys_past_their_retention_are_forgotten_and_their_appeals_kept(city, settings):
    settings.APPEALS_INTAKE_KEY_DAYS = 7
    client = channel_client(city.city)
    post(client, body(), key="old-key")
    post(client, body(content="第二件诉求"), key="new-key")
    IntakeRequest.objects.filter(key="old-key").update(
        created_at=timezone.now() - timedelta(days=8)
    )

    out = io.StringIO()
    with translation.override("en"):
        call_command("prune_intake_keys", stdout=out)

    assert out.getvalue().strip() == "1 idempotency keys older than 7 days forgotten."
    assert list(IntakeRequest.objects.values_list("key", flat=True)) == ["new-key"]
    assert Appeal.objects.count() == 2


def test_a_key_within_its_retention_still_replays(city):
    client = channel_client(city.city)
    first = post(client, body(), key="kept")
    IntakeRequest.objects.update(created_at=timezone.now() - timedelta(days=6))

    intake_keys_prune()

    assert post(client, body(), key="kept").json() == first.json()
    assert Appeal.objects.count() == 1
