"""Case files: the org subtree and the assigned lawyers see them, nobody else; openings audited."""

import pytest

from gonghui.core.models import AuditEntry
from gonghui.legal.models import LegalAidCase
from gonghui.legal.services import aid_apply, aid_assign, aid_review, consultation_create
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_of_b(city, lawyer_b):
    case = make_dispute(city.community)
    case.lawyers.add(lawyer_b)
    return case


@pytest.fixture
def case_of_a(city, lawyer_a):
    case = make_dispute(city.community, employer_name="甲方案件公司")
    case.lawyers.add(lawyer_a)
    return case


def test_a_lawyer_opens_a_case_assigned_to_them(case_of_a, lawyer_a):
    response = logged_in(lawyer_a.user).get(f"/legal/disputes/{case_of_a.pk}/")
    assert response.status_code == 200


def test_a_lawyer_of_firm_a_gets_404_for_a_case_assigned_to_firm_b(case_of_b, lawyer_a):
    client = logged_in(lawyer_a.user)
    assert client.get(f"/legal/disputes/{case_of_b.pk}/").status_code == 404
    assert api_client(lawyer_a.user).get(f"/api/v1/disputes/{case_of_b.pk}").status_code == 404
    response = client.post(f"/legal/disputes/{case_of_b.pk}/step/", {"path": "mediation"})
    assert response.status_code == 404


def test_a_lawyer_gets_404_for_any_case_outside_their_assignments(city, lawyer_a):
    unassigned = make_dispute(city.community)
    assert logged_in(lawyer_a.user).get(f"/legal/disputes/{unassigned.pk}/").status_code == 404


def test_a_lawyers_list_shows_only_their_cases(case_of_a, case_of_b, lawyer_a):
    body = logged_in(lawyer_a.user).get("/legal/disputes/").content.decode()
    assert case_of_a.code in body
    assert case_of_b.code not in body
    data = api_client(lawyer_a.user).get("/api/v1/disputes").json()
    assert [item["code"] for item in data["items"]] == [case_of_a.code]


def test_a_lawyer_sees_only_legal_aid_assigned_to_them(city, lawyer_a, lawyer_b, city_admin):
    mine = aid_apply(
        org=city.community, name="申请人甲", phone="13811112222", case_type="wages",
        summary="欠薪", hardship=True,
    )  # fmt: skip
    theirs = aid_apply(
        org=city.community, name="申请人乙", phone="13811113333", case_type="wages",
        summary="欠薪", hardship=True,
    )  # fmt: skip
    for case, lawyer in ((mine, lawyer_a), (theirs, lawyer_b)):
        aid_review(user=city_admin, case=case, approve=True)
        aid_assign(user=city_admin, case=LegalAidCase.objects.get(pk=case.pk), lawyer=lawyer)
    client = logged_in(lawyer_a.user)
    assert client.get(f"/legal/aid/{mine.pk}/").status_code == 200
    assert client.get(f"/legal/aid/{theirs.pk}/").status_code == 404


def test_a_lawyer_sees_only_consultations_they_answered(city, lawyer_a, lawyer_b):
    theirs = consultation_create(
        org=city.community, channel="hotline", topic="wages", question="问题", name="某人",
        lawyer=lawyer_b,
    )  # fmt: skip
    assert logged_in(lawyer_a.user).get(f"/legal/consultations/{theirs.pk}/").status_code == 404


def test_an_officer_outside_the_subtree_gets_404(city, case_of_a, sibling_street_officer):
    client = logged_in(sibling_street_officer)
    assert client.get(f"/legal/disputes/{case_of_a.pk}/").status_code == 404
    assert (
        api_client(sibling_street_officer).get(f"/api/v1/disputes/{case_of_a.pk}").status_code
        == 404
    )


def test_an_officer_of_the_subtree_sees_every_case_of_it(
    city, case_of_a, case_of_b, street_officer
):
    body = logged_in(street_officer).get("/legal/disputes/").content.decode()
    assert case_of_a.code in body
    assert case_of_b.code in body


def test_every_opening_of_a_case_file_is_audited(case_of_a, street_officer, lawyer_a):
    logged_in(street_officer).get(f"/legal/disputes/{case_of_a.pk}/")
    logged_in(lawyer_a.user).get(f"/legal/disputes/{case_of_a.pk}/")
    entries = AuditEntry.objects.filter(
        target_type="legal.disputecase", target_id=str(case_of_a.pk)
    )
    assert sorted(e.actor_name for e in entries) == ["lawyer_a", "street_officer"]


def test_a_refused_opening_is_not_audited_as_an_opening(case_of_b, lawyer_a):
    logged_in(lawyer_a.user).get(f"/legal/disputes/{case_of_b.pk}/")
    assert not AuditEntry.objects.filter(target_type="legal.disputecase").exists()
