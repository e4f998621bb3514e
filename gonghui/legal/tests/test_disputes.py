"""Dispute cases: classification on record, major disputes dispatched, steps, outcomes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from gonghui.appeals.models import Alert, AlertKind
from gonghui.appeals.tests.helpers import file_appeal
from gonghui.legal.models import DisputeOutcome
from gonghui.legal.services import (
    appeal_to_legal,
    dispute_close,
    dispute_dates_set,
    dispute_step_add,
)
from gonghui.legal.tests.conftest import make_dispute
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_case_is_recorded_with_its_classification_and_claims(city, district_officer):
    case = make_dispute(city.community, user=district_officer, workers=[{"name": "赵一"}])
    assert case.code.startswith("ZY")
    assert case.amount_claimed == 8000
    assert [w.name for w in case.workers.all()] == ["赵一"]
    assert not case.is_major
    assert case.chosen_path == ""


def test_illegal_conduct_goes_straight_to_administrative_supervision(city):
    case = make_dispute(city.community, rights_subtype="illegal")
    assert case.chosen_path == "administrative_supervision"


def test_an_interest_dispute_with_a_subtype_is_refused(city):
    with pytest.raises(ValidationError) as caught:
        make_dispute(city.community, dispute_type="interest", rights_subtype="contested")
    assert "rights_subtype" in caught.value.message_dict


def test_ten_workers_make_a_major_dispute_dispatched_to_the_lawyers_group(city, team):
    case = make_dispute(city.community, workers_involved=10)
    assert case.is_major
    assert case.major_reasons == ["workers"]
    assert case.team == team
    assert set(case.lawyers.all()) == set(team.lawyers.all())
    texts = list(OutboxMessage.objects.filter(reference=case.code).values_list("body", flat=True))
    assert len(texts) == 2
    assert all(case.code in text for text in texts)


def test_nine_workers_are_not_major(city, team):
    assert not make_dispute(city.community, workers_involved=9).is_major


def test_a_collective_case_counts_its_listed_workers(city, team):
    workers = [{"name": f"工人{i}"} for i in range(12)]
    case = make_dispute(city.community, workers_involved=1, workers=workers)
    assert case.workers_involved == 12
    assert case.is_major


@override_settings(LEGAL_MAJOR_AMOUNT=100_000)
def test_an_amount_over_the_configured_threshold_is_major(city, team):
    at_threshold = make_dispute(city.community, claims=[{"type": "wages", "amount": "100000"}])
    over = make_dispute(city.community, claims=[{"type": "wages", "amount": "100000.01"}])
    assert not at_threshold.is_major
    assert over.is_major
    assert over.major_reasons == ["amount"]


def test_a_case_from_an_early_warning_alert_is_major(city, team, district_officer):
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    Alert.objects.create(
        kind=AlertKind.EMPLOYER_CLUSTER, org=city.district, appeal=appeal,
        raised_at=timezone.now(),
    )  # fmt: skip
    case = appeal_to_legal(
        user=district_officer,
        appeal=appeal,
        into="dispute",
        dispute_type="rights",
        rights_subtype="contested",
    )
    assert case.is_major
    assert case.major_reasons == ["alert"]
    assert case.team == team


def test_a_step_on_a_path_not_recommended_is_refused(city, district_officer):
    case = make_dispute(city.community)
    with pytest.raises(ValidationError) as caught:
        dispute_step_add(
            user=district_officer, case=case, path="administrative_supervision",
            on=timezone.localdate(), outcome="ongoing",
        )  # fmt: skip
    assert "path" in caught.value.message_dict


def test_failed_mediation_moves_the_case_on_to_arbitration(city, district_officer):
    case = make_dispute(city.community)
    today = timezone.localdate()
    dispute_step_add(
        user=district_officer, case=case, path="mediation", on=today, outcome="failed",
        who="调解员 孙",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.chosen_path == "arbitration"
    assert case.mediation_applied_on == today
    step = case.steps.get()
    assert (step.who, step.outcome) == ("调解员 孙", "failed")


def test_a_step_in_the_future_is_refused(city, district_officer):
    case = make_dispute(city.community)
    with pytest.raises(ValidationError):
        dispute_step_add(
            user=district_officer, case=case, path="mediation",
            on=timezone.localdate() + timedelta(days=1), outcome="ongoing",
        )  # fmt: skip


def test_a_successful_mediation_needs_to_say_whether_it_was_performed(city, district_officer):
    case = make_dispute(city.community)
    with pytest.raises(ValidationError) as caught:
        dispute_close(user=district_officer, case=case, outcome="mediated", amount_agreed="6000")
    assert "performed" in caught.value.message_dict
    closed = dispute_close(
        user=district_officer, case=case, outcome="mediated", amount_agreed="6000",
        amount_recovered="6000", performed=True,
    )  # fmt: skip
    assert closed.status == "closed"
    assert closed.outcome == DisputeOutcome.MEDIATED
    assert str(closed.amount_agreed) == "6000.00"


def test_an_interest_dispute_cannot_be_closed_as_mediated(city, district_officer):
    case = make_dispute(city.community, dispute_type="interest", rights_subtype="")
    with pytest.raises(ValidationError):
        dispute_close(user=district_officer, case=case, outcome="mediated", performed=True)


def test_the_award_period_is_extended_only_once(city, district_officer):
    case = make_dispute(city.community)
    today = timezone.localdate()
    dispute_dates_set(
        user=district_officer, case=case, knew_on=None, mediation_applied_on=None,
        arbitration_accepted_on=today, award_extended=True,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        dispute_dates_set(
            user=district_officer, case=case, knew_on=None, mediation_applied_on=None,
            arbitration_accepted_on=today, award_extended=False,
        )  # fmt: skip


def test_a_closed_case_takes_no_more_steps(city, district_officer):
    case = make_dispute(city.community)
    dispute_close(user=district_officer, case=case, outcome="withdrawn")
    with pytest.raises(ValidationError):
        dispute_step_add(
            user=district_officer, case=case, path="mediation", on=timezone.localdate(),
            outcome="ongoing",
        )  # fmt: skip


def test_a_readonly_user_may_not_record_a_case(city):
    from django.core.exceptions import PermissionDenied

    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update
    from gonghui.testing import PASSWORD

    reader = user_create_or_update(
        username="reader", scope_org=city.district, role=Role.READONLY, password=PASSWORD
    )
    with pytest.raises(PermissionDenied):
        make_dispute(city.community, user=reader)
