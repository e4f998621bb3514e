"""Intake: tracking codes, protected personal data, matching, routing and the SMS receipt."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.appeals.models import Appeal, AppealAction, AppealStatus, RoutingRule
from gonghui.appeals.services.intake import NotInScope
from gonghui.appeals.tests.helpers import at, file_appeal, handler
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_tracking_codes_are_12351_year_and_a_sequence(city):
    first = file_appeal(city.city, received_at=at("2026-03-02 10:00"))
    second = file_appeal(city.city, received_at=at("2026-03-02 10:05"))
    assert re.fullmatch(r"123512026\d{6}", first.tracking_code)
    assert int(second.tracking_code[-6:]) == int(first.tracking_code[-6:]) + 1


def test_the_sequence_starts_again_in_a_new_year(city):
    file_appeal(city.city, received_at=at("2025-12-31 23:00"))
    january = file_appeal(city.city, received_at=at("2026-01-05 09:00"))
    assert january.tracking_code == "123512026000001"


def test_phone_and_id_number_are_stored_encrypted_and_shown_masked(city):
    id_number = make_id_number(77)
    appeal = file_appeal(city.city, phone="13912345678", id_number=id_number)
    row = Appeal.objects.values("phone", "id_number").get(pk=appeal.pk)
    assert "13912345678" not in row["phone"]
    assert id_number not in row["id_number"]
    assert appeal.phone_masked == "139****5678"
    assert appeal.id_number_masked == id_number[:6] + "********" + id_number[14:]


def test_the_complainant_is_matched_to_the_member_with_the_id_number(city):
    member = MemberFactory(org=city.community, id_number=make_id_number(5))
    appeal = file_appeal(city.city, id_number=make_id_number(5))
    assert appeal.member == member


def test_without_an_id_number_the_member_is_matched_by_phone(city):
    member = MemberFactory(org=city.community, phone=make_phone(6))
    appeal = file_appeal(city.city, phone=make_phone(6))
    assert appeal.member == member


def test_the_employer_is_matched_by_credit_code_or_exact_name(city):
    by_code = file_appeal(city.city, employer_uscc=city.employer.uscc)
    by_name = file_appeal(city.city, employer_name=city.sibling_employer.name)
    unknown = file_appeal(city.city, employer_name="某个未登记的小作坊")
    assert by_code.employer == city.employer
    assert by_name.employer == city.sibling_employer
    assert unknown.employer is None
    assert unknown.employer_name == "某个未登记的小作坊"


def test_wage_arrears_go_to_the_street_of_the_employer(city):
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    assert appeal.org == city.street
    assert appeal.department == "Rights protection department"


def test_union_rights_go_to_the_employers_own_union(city):
    appeal = file_appeal(city.city, category_code="union_rights", employer_uscc=city.employer.uscc)
    assert appeal.org == city.employer.union


def test_many_workers_involved_raise_the_level(city):
    ten = file_appeal(city.city, employer_uscc=city.employer.uscc, workers_involved=10)
    thirty = file_appeal(city.city, employer_uscc=city.employer.uscc, workers_involved=30)
    assert ten.org == city.district  # street + 1
    assert thirty.org == city.district


def test_a_region_rule_beats_the_general_rule_of_its_category(city):
    RoutingRule.objects.create(
        category=RoutingRule.objects.get(category__code="wage_arrears").category,
        region_code="110101",
        level="district",
        department="东城区专班",
    )
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    assert appeal.org == city.district
    assert appeal.department == "东城区专班"


def test_an_employer_without_a_union_falls_back_to_the_next_level_up(city):
    appeal = file_appeal(
        city.city, category_code="union_rights", employer_uscc=city.sibling_employer.uscc
    )
    # No union, no community: the street (景山街道) above it.
    assert appeal.org == city.sibling_street


def test_without_employer_or_org_the_appeal_stays_with_the_intake_org(city):
    appeal = file_appeal(city.city)
    assert appeal.org == city.city
    assert appeal.status == AppealStatus.RECEIVED


def test_the_appeal_is_dispatched_to_the_handler_with_the_fewest_open_appeals(city):
    busy = handler("busy", city.street)
    free = handler("free", city.street)
    first = file_appeal(city.city, employer_uscc=city.employer.uscc)
    assert first.handler == busy  # equal load: the older account
    second = file_appeal(city.city, employer_uscc=city.employer.uscc)
    assert second.handler == free
    assert second.status == AppealStatus.DISPATCHED
    kinds = list(AppealAction.objects.filter(appeal=second).values_list("kind", "to_status"))
    assert kinds == [("receive", "received"), ("dispatch", "dispatched")]


def test_the_worker_gets_an_sms_receipt_with_the_tracking_code(city):
    appeal = file_appeal(city.city, phone="13800001111")
    message = OutboxMessage.objects.get(reference=appeal.tracking_code)
    assert appeal.tracking_code in message.body
    assert message.phone_masked == "138****1111"


def _intake_then_fail(city):
    with transaction.atomic():
        file_appeal(city.city)
        raise RuntimeError("the caller fails after the intake")


def test_a_rolled_back_intake_leaves_no_appeal_and_no_message(city):
    with pytest.raises(RuntimeError):
        _intake_then_fail(city)
    assert not Appeal.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_bad_fields_are_reported_by_field(city):
    with pytest.raises(ValidationError) as refused:
        file_appeal(city.city, phone="12345", category_code="nope", content=" ")
    assert set(refused.value.message_dict) == {"phone", "category", "content"}


def test_an_org_outside_the_intake_subtree_is_refused(city):
    with pytest.raises(NotInScope):
        file_appeal(city.district, org_code=city.other_district.code)
