"""Consultations and the links with the appeal line."""

import pytest
from django.core.exceptions import ValidationError

from gonghui.appeals.tests.helpers import file_appeal
from gonghui.legal.models import DisputeCase, LegalAidCase
from gonghui.legal.services import (
    appeal_to_legal,
    consultation_answer,
    consultation_convert,
    consultation_create,
)
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _consultation(city, **overrides):
    fields = {
        "org": city.community, "channel": "hotline", "topic": "wages",
        "question": "被拖欠两个月工资怎么办？", "name": "冯工人", "phone": "13611112222",
        "employer_name": "某物流公司",
    }  # fmt: skip
    fields.update(overrides)
    return consultation_create(**fields)


def test_a_consultation_is_answered_by_a_lawyer(city, lawyer_a):
    consultation = _consultation(city)
    answered = consultation_answer(
        user=lawyer_a.user, consultation=consultation, answer="可申请劳动仲裁", duration_minutes=12
    )
    assert answered.status == "answered"
    assert answered.lawyer == lawyer_a
    assert answered.duration_minutes == 12


def test_a_consultation_becomes_a_dispute_case_in_one_action(city, district_officer):
    consultation = _consultation(city)
    case = consultation_convert(
        user=district_officer, consultation=consultation, into="dispute",
        dispute_type="rights", rights_subtype="contested", amount="16000",
    )  # fmt: skip
    assert isinstance(case, DisputeCase)
    assert case.consultation == consultation
    assert case.employer_name == "某物流公司"
    assert [w.name for w in case.workers.all()] == ["冯工人"]
    assert case.amount_claimed == 16000
    consultation.refresh_from_db()
    assert consultation.status == "converted"


def test_a_consultation_becomes_a_legal_aid_case_in_one_action(city, district_officer):
    case = consultation_convert(
        user=district_officer, consultation=_consultation(city), into="legal_aid", hardship=True
    )
    assert isinstance(case, LegalAidCase)
    assert case.case_type == "wages"
    assert case.phone_masked == "136****2222"


def test_a_converted_consultation_is_not_converted_twice(city, district_officer):
    consultation = _consultation(city)
    consultation_convert(
        user=district_officer, consultation=consultation, into="legal_aid", hardship=True
    )
    with pytest.raises(ValidationError):
        consultation_convert(user=district_officer, consultation=consultation, into="legal_aid")


def test_a_failed_conversion_leaves_the_consultation_open(city, district_officer):
    consultation = _consultation(city)
    with pytest.raises(ValidationError):
        consultation_convert(
            user=district_officer, consultation=consultation, into="dispute",
            dispute_type="interest", rights_subtype="illegal",
        )  # fmt: skip
    consultation.refresh_from_db()
    assert consultation.status == "open"


def test_the_convert_button_opens_the_case(city, district_officer):
    consultation = _consultation(city)
    response = logged_in(district_officer).post(
        f"/legal/consultations/{consultation.pk}/convert/",
        {"into": "dispute", "dispute_type": "interest", "rights_subtype": ""},
    )
    case = DisputeCase.objects.get()
    assert response["Location"] == f"/legal/disputes/{case.pk}/"
    assert case.chosen_path == "collective_negotiation"


def test_an_appeal_becomes_a_consultation_shown_on_the_appeals_page(city, district_officer):
    appeal = file_appeal(city.district)
    consultation = appeal_to_legal(user=district_officer, appeal=appeal, into="consultation")
    assert consultation.channel == "appeal"
    assert consultation.appeal == appeal
    assert consultation.topic == "wages"
    body = logged_in(district_officer).get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert consultation.code in body


def test_an_appeal_becomes_a_case_from_its_page(city, district_officer):
    appeal = file_appeal(city.district)
    response = logged_in(district_officer).post(
        f"/legal/from-appeal/{appeal.tracking_code}/",
        {"into": "dispute", "dispute_type": "rights", "rights_subtype": "illegal"},
    )
    case = DisputeCase.objects.get()
    assert response["Location"] == f"/legal/disputes/{case.pk}/"
    assert case.appeal == appeal
    body = logged_in(district_officer).get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert case.code in body
    assert (
        appeal.tracking_code
        in logged_in(district_officer).get(response["Location"]).content.decode()
    )


def test_the_case_made_from_an_appeal_is_a_step_of_the_appeals_timeline(city, district_officer):
    appeal = file_appeal(city.district)
    case = appeal_to_legal(
        user=district_officer,
        appeal=appeal,
        into="dispute",
        dispute_type="rights",
        rights_subtype="contested",
    )
    step = appeal.actions.order_by("-pk").first()
    body = logged_in(district_officer).get(f"/appeals/{appeal.tracking_code}/").content.decode()
    start = body.index('data-testid="timeline"')
    timeline = body[start : body.index("</ul>", start)]
    assert (step.kind, step.actor) == ("legal", district_officer)
    assert "转法律服务" in timeline
    assert case.code in body[body.index('data-testid="legal-links"') :]


def test_the_appeals_page_hides_cases_the_user_may_not_see(city, district_officer, lawyer_a):
    appeal = file_appeal(city.district)
    case = appeal_to_legal(
        user=district_officer, appeal=appeal, into="dispute", dispute_type="rights",
        rights_subtype="contested",
    )  # fmt: skip
    lawyer_a.user.scope_org = city.district
    lawyer_a.user.save()
    body = logged_in(lawyer_a.user).get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert case.code not in body
