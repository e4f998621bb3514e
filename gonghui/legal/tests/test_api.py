"""The disputes API: create, read (classification, paths, major, clocks), steps; scoped."""

import pytest
from django.utils import timezone

from gonghui.core.models import AuditEntry
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import api_client

pytestmark = pytest.mark.django_db

BODY = {
    "dispute_type": "rights",
    "rights_subtype": "contested",
    "employer_name": "北京某餐饮有限公司",
    "workers_involved": 3,
    "summary": "拖欠三名厨师两个月工资",
    "claims": [{"type": "wages", "amount": "24000.00"}, {"type": "overtime", "amount": "3000"}],
}


def _post(user, body, path="/api/v1/disputes"):
    return api_client(user).post(path, body, content_type="application/json")


def test_post_creates_a_classified_case_with_its_paths(city, street_officer):
    response = _post(street_officer, {**BODY, "org": city.community.code})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["dispute_type"] == "rights"
    assert data["recommended_paths"] == ["negotiation", "mediation", "arbitration", "litigation"]
    assert data["is_major"] is False
    assert data["amount_claimed"] == "27000.00"
    assert data["org"] == city.community.code


def test_post_with_an_interest_dispute_and_a_subtype_answers_422_naming_the_field(
    city, street_officer
):
    response = _post(street_officer, {**BODY, "dispute_type": "interest"})
    assert response.status_code == 422
    assert "rights_subtype" in response.json()["detail"]


def test_post_for_an_org_outside_the_scope_answers_404(city, street_officer):
    response = _post(street_officer, {**BODY, "org": city.other_community.code})
    assert response.status_code == 404


def test_post_naming_another_districts_employer_answers_404(city, street_officer):
    response = _post(street_officer, {**BODY, "employer_uscc": city.other_employer.uscc})
    assert response.status_code == 404


def test_get_returns_classification_major_and_clocks(city, street_officer, team):
    case = make_dispute(city.community, workers_involved=15, knew_on=timezone.localdate())
    response = api_client(street_officer).get(f"/api/v1/disputes/{case.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["is_major"] is True
    assert data["team"] == team.name
    assert [c["kind"] for c in data["clocks"]] == ["limitation"]
    assert data["clocks"][0]["state"] == "running"


def test_get_is_audited(city, street_officer):
    case = make_dispute(city.community)
    api_client(street_officer).get(f"/api/v1/disputes/{case.pk}")
    entry = AuditEntry.objects.filter(target_type="legal.disputecase").get()
    assert entry.target_id == str(case.pk)
    assert entry.detail["what"] == "api"


def test_get_of_another_districts_case_answers_404(city, street_officer):
    case = make_dispute(city.other_community)
    assert api_client(street_officer).get(f"/api/v1/disputes/{case.pk}").status_code == 404


def test_post_step_records_it_and_starts_the_mediation_clock(city, street_officer):
    case = make_dispute(city.community)
    today = timezone.localdate().isoformat()
    response = _post(
        street_officer,
        {"path": "mediation", "on": today, "outcome": "ongoing", "who": "调解员 孙"},
        path=f"/api/v1/disputes/{case.pk}/steps",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["chosen_path"] == "mediation"
    assert data["steps"][0]["who"] == "调解员 孙"
    assert [c["kind"] for c in data["clocks"]] == ["mediation"]


def test_post_step_on_a_path_not_recommended_answers_422(city, street_officer):
    case = make_dispute(city.community, dispute_type="interest", rights_subtype="")
    response = _post(
        street_officer,
        {"path": "litigation", "on": timezone.localdate().isoformat(), "outcome": "ongoing"},
        path=f"/api/v1/disputes/{case.pk}/steps",
    )
    assert response.status_code == 422
    assert "path" in response.json()["detail"]


def test_post_step_on_another_districts_case_answers_404(city, street_officer):
    case = make_dispute(city.other_community)
    response = _post(
        street_officer,
        {"path": "mediation", "on": timezone.localdate().isoformat(), "outcome": "ongoing"},
        path=f"/api/v1/disputes/{case.pk}/steps",
    )
    assert response.status_code == 404


def test_the_list_is_paginated_with_its_count_and_scoped(city, street_officer):
    make_dispute(city.community)
    make_dispute(city.other_community, employer_name="西城某公司")
    data = api_client(street_officer).get("/api/v1/disputes").json()
    assert data["count"] == 1
    assert "西城某公司" not in str(data)
