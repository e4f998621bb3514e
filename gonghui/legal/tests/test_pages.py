"""The staff pages render in both languages, show the clocks, and never a full ID or phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.legal.services import (
    aid_apply,
    consultation_create,
    dispute_dates_set,
    dispute_step_add,
)
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db

ID_RE = re.compile(r"\d{17}[\dXx]")
PHONE_RE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def records(city, district_officer, lawyer_a, team):
    today = timezone.localdate()
    case = make_dispute(
        city.community, workers=[{"name": "孙工人", "phone": "13512345678"}], workers_involved=12
    )
    dispute_step_add(
        user=district_officer, case=case, path="mediation", on=today, outcome="ongoing"
    )
    dispute_dates_set(
        user=district_officer, case=case, knew_on=today - timedelta(days=200),
        mediation_applied_on=today - timedelta(days=13), arbitration_accepted_on=None,
        award_extended=False,
    )  # fmt: skip
    consultation_create(
        org=city.community, channel="walk_in", topic="injury", question="工伤怎么认定？",
        name="钱工人", phone="13612345678",
    )  # fmt: skip
    aid_apply(
        org=city.community, name="李工人", phone="13712345678", id_number="110105199003074317",
        case_type="wages", summary="欠薪", hardship=True,
    )  # fmt: skip
    return case


PAGES = [
    "/legal/",
    "/legal/consultations/",
    "/legal/consultations/new/",
    "/legal/aid/",
    "/legal/aid/new/",
    "/legal/disputes/",
    "/legal/disputes/new/",
    "/legal/providers/",
    "/legal/stats/",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_without_a_full_id_number_or_phone(records, district_officer, language):
    client = logged_in(district_officer)
    client.cookies["django_language"] = language
    from gonghui.legal.models import Consultation, LegalAidCase

    details = [
        f"/legal/disputes/{records.pk}/",
        f"/legal/consultations/{Consultation.objects.get().pk}/",
        f"/legal/aid/{LegalAidCase.objects.get().pk}/",
    ]
    for url in PAGES + details:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not ID_RE.search(body), url
        assert not PHONE_RE.search(body), url
    api = api_client(district_officer).get(f"/api/v1/disputes/{records.pk}").content.decode()
    assert not PHONE_RE.search(api)


def test_the_case_page_and_the_workbench_show_the_clocks(records, district_officer):
    client = logged_in(district_officer)
    page = client.get(f"/legal/disputes/{records.pk}/").content.decode()
    assert 'data-testid="clock-mediation" data-state="warning"' in page
    assert 'data-testid="clock-limitation" data-state="running"' in page
    workbench = client.get("/legal/").content.decode()
    assert records.code in workbench
    assert 'data-state="warning"' in workbench


def test_the_dispute_form_records_a_collective_case(city, district_officer, team):
    response = logged_in(district_officer).post(
        "/legal/disputes/new/",
        {
            "dispute_type": "rights", "rights_subtype": "contested", "employer_name": "某工厂",
            "workers_involved": "2", "workers": "甲工人, 13511112222\n乙工人",
            "claims": "wages, 5000\novertime, 1200.5", "summary": "集体欠薪",
        },
    )  # fmt: skip
    assert response.status_code == 302
    from gonghui.legal.models import DisputeCase

    case = DisputeCase.objects.get()
    assert case.workers.count() == 2
    assert str(case.amount_claimed) == "6200.50"


def test_the_dispute_form_shows_the_classification_error_on_its_field(city, district_officer):
    response = logged_in(district_officer).post(
        "/legal/disputes/new/",
        {
            "dispute_type": "interest", "rights_subtype": "illegal", "employer_name": "某工厂",
            "workers_involved": "1", "summary": "要求涨工资",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "利益之争（法外诉求）没有权利争议子类" in response.content.decode()
