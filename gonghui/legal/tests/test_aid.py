"""Legal aid: application, eligibility with named reasons, review, lawyer, handling, closure."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gonghui.legal.services import (
    aid_apply,
    aid_assign,
    aid_close,
    aid_eligibility,
    aid_handle,
    aid_review,
)
from gonghui.members.tests.factories import MemberFactory
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db

ID_RE = re.compile(r"\d{17}[\dXx]")
PHONE_RE = re.compile(r"1[3-9]\d{9}")


def _apply(city, **overrides):
    fields = {
        "org": city.community,
        "name": "周工人",
        "phone": "13812345678",
        "id_number": "110105199003074317",
        "case_type": "wages",
        "summary": "公司拖欠工资五个月",
    }
    fields.update(overrides)
    return aid_apply(**fields)


def test_the_check_names_membership_hardship_and_case_type():
    with translation.override("en"):
        reasons = aid_eligibility(is_member=False, hardship=False, case_type="criminal")
    assert [(r.code, r.passed) for r in reasons] == [
        ("membership", True),
        ("hardship", False),
        ("case_type", False),
    ]
    assert "state legal-aid centre" in reasons[2].text


def test_a_member_is_eligible_without_hardship(city):
    member = MemberFactory(org=city.community)
    from gonghui.core import pii

    phone = pii.decrypt(member.phone) if member.phone else "13812345678"
    case = _apply(city, phone=phone, id_number=pii.decrypt(member.id_number))
    assert case.member == member
    assert case.eligible


def test_a_non_member_needs_hardship(city):
    assert not _apply(city).eligible
    assert _apply(city, phone="13812345679", hardship=True).eligible


def test_id_number_and_phone_are_stored_protected(city):
    case = _apply(city)
    assert case.id_number_masked == "110105********4317"
    assert case.phone_masked == "138****5678"
    assert "110105199003074317" not in case.id_number


def test_approving_against_the_check_needs_a_note(city, city_admin):
    case = _apply(city)
    with pytest.raises(ValidationError):
        aid_review(user=city_admin, case=case, approve=True)
    approved = aid_review(user=city_admin, case=case, approve=True, note="经街道核实确有困难")
    assert approved.status == "approved"


def test_a_lawyer_may_not_decide_an_application(city, lawyer_a):
    with pytest.raises(PermissionDenied):
        aid_review(user=lawyer_a.user, case=_apply(city, hardship=True), approve=True)


def test_the_whole_course_from_application_to_closure(city, city_admin, lawyer_a):
    case = _apply(city, hardship=True)
    case = aid_review(user=city_admin, case=case, approve=True)
    case = aid_assign(user=city_admin, case=case, lawyer=lawyer_a)
    assert case.status == "assigned"
    case = aid_handle(user=lawyer_a.user, case=case, note="已向仲裁委提交申请")
    assert case.status == "handling"
    case = aid_close(user=lawyer_a.user, case=case, outcome="won", amount_recovered="15000")
    assert (case.status, case.outcome, str(case.amount_recovered)) == ("closed", "won", "15000.00")


def test_a_rejected_application_cannot_get_a_lawyer(city, city_admin, lawyer_a):
    case = aid_review(user=city_admin, case=_apply(city, hardship=True), approve=False, note="x")
    with pytest.raises(ValidationError):
        aid_assign(user=city_admin, case=case, lawyer=lawyer_a)


def test_the_page_shows_the_reasons_and_no_full_id_number_or_phone(city, street_officer):
    case = _apply(city)
    body = logged_in(street_officer).get(f"/legal/aid/{case.pk}/").content.decode()
    assert 'data-reason="hardship" data-passed="0"' in body
    assert not ID_RE.search(body)
    assert not PHONE_RE.search(body)


def test_the_new_application_page_records_one(city, street_officer):
    response = logged_in(street_officer).post(
        "/legal/aid/new/",
        {"name": "吴工人", "phone": "13812340000", "case_type": "injury", "hardship": "on",
         "summary": "工伤未认定", "amount_claimed": "50000"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "/legal/aid/" in response["Location"]
