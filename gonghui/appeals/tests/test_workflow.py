"""The workflow services: every transition recorded, illegal ones refused, scope enforced."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gonghui.accounts.models import Role
from gonghui.appeals.models import AppealStatus
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.services.machine import IllegalTransition
from gonghui.appeals.tests.helpers import file_appeal, handler
from gonghui.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return handler("handler_street", city.street)


@pytest.fixture
def appeal(city, worker):
    return file_appeal(city.city, employer_uscc=city.employer.uscc)


def _replied(appeal, worker):
    wf.appeal_accept(user=worker, appeal=appeal)
    wf.appeal_start(user=worker, appeal=appeal)
    return wf.appeal_reply(user=worker, appeal=appeal, text="已协调企业在5日内补发工资。")


def test_the_full_cycle_is_recorded_with_actor_and_statuses(appeal, worker):
    _replied(appeal, worker)
    wf.appeal_callback(user=worker, appeal=appeal, satisfaction="satisfied")
    closed = wf.appeal_close(user=worker, appeal=appeal)
    assert closed.status == AppealStatus.CLOSED
    assert closed.closed_at is not None
    history = list(closed.actions.values_list("kind", "from_status", "to_status", "actor_name"))
    assert history == [
        ("receive", "", "received", "system"),
        ("dispatch", "received", "dispatched", "system"),
        ("accept", "dispatched", "accepted", "handler_street"),
        ("start", "accepted", "in_progress", "handler_street"),
        ("reply", "in_progress", "replied", "handler_street"),
        ("callback", "replied", "callback", "handler_street"),
        ("close", "callback", "closed", "handler_street"),
    ]


def test_the_reply_is_sent_to_the_worker_by_sms(appeal, worker):
    _replied(appeal, worker)
    bodies = OutboxMessage.objects.filter(template="appeal_replied").values_list("body", flat=True)
    assert any("已协调企业在5日内补发工资。" in body for body in bodies)


def test_closing_before_the_callback_is_refused_with_a_clear_message(appeal, worker):
    wf.appeal_accept(user=worker, appeal=appeal)
    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        wf.appeal_close(user=worker, appeal=appeal)
    assert "not possible" in refused.value.messages[0]
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED


def test_a_dissatisfied_worker_reopens_the_appeal_under_supervision(city, appeal, worker):
    _replied(appeal, worker)
    reopened = wf.appeal_callback(user=worker, appeal=appeal, satisfaction="dissatisfied")
    assert reopened.status == AppealStatus.IN_PROGRESS
    assert reopened.supervised
    assert reopened.supervising_org == city.district
    assert reopened.reopen_count == 1


def test_the_worker_rates_a_reply_once_from_the_portal(appeal, worker):
    _replied(appeal, worker)
    rated = wf.appeal_rate(appeal=appeal, satisfaction="basic")
    assert rated.status == AppealStatus.CALLBACK
    assert rated.satisfaction == "basic"
    with pytest.raises(ValidationError):
        wf.appeal_rate(appeal=appeal, satisfaction="dissatisfied")


def test_returning_sends_the_appeal_up_with_the_reason(city, appeal, worker):
    returned = wf.appeal_return(user=worker, appeal=appeal, reason="不属于本街道管辖")
    assert returned.status == AppealStatus.RECEIVED
    assert returned.org == city.district
    assert returned.handler is None
    assert returned.actions.last().note == "不属于本街道管辖"


def test_a_return_needs_a_reason(appeal, worker):
    with pytest.raises(ValidationError) as refused:
        wf.appeal_return(user=worker, appeal=appeal, reason=" ")
    assert "reason" in refused.value.message_dict


def test_a_transfer_dispatches_to_a_handler_of_the_new_org(city, appeal, worker):
    other = handler("sibling_handler", city.sibling_street)
    moved = wf.appeal_transfer(user=worker, appeal=appeal, org=city.sibling_street, reason="属地")
    assert moved.org == city.sibling_street
    assert moved.handler == other
    assert moved.status == AppealStatus.DISPATCHED


def test_only_an_org_above_may_supervise(city, appeal, worker, district_officer):
    with pytest.raises(PermissionDenied):
        wf.appeal_supervise(user=worker, appeal=appeal, note="请加快办理")
    supervised = wf.appeal_supervise(user=district_officer, appeal=appeal, note="请加快办理")
    assert supervised.supervised
    assert supervised.supervising_org == city.district


def test_an_appeal_outside_the_scope_cannot_be_touched(city, other_district_officer, appeal):
    with pytest.raises(PermissionDenied):
        wf.appeal_accept(user=other_district_officer, appeal=appeal)


def test_a_read_only_user_cannot_act(city, appeal):
    reader = handler("reader", city.street, Role.READONLY)
    with pytest.raises(PermissionDenied):
        wf.appeal_accept(user=reader, appeal=appeal)


def test_reclassifying_recomputes_the_deadline(appeal, worker):
    before = appeal.deadline
    changed = wf.appeal_reclassify(user=worker, appeal=appeal, difficulty="complex", note="多方")
    assert changed.deadline > before
    assert changed.difficulty == "complex"


def test_a_duplicate_is_merged_into_the_first_appeal(city, appeal, worker):
    duplicate = file_appeal(city.city, employer_uscc=city.employer.uscc)
    merged = wf.appeal_merge(user=worker, appeal=duplicate, into=appeal)
    assert merged.status == AppealStatus.MERGED
    assert merged.merged_into == appeal
    assert appeal.actions.filter(kind="merge").exists()
    with pytest.raises(IllegalTransition):
        wf.appeal_accept(user=worker, appeal=merged)


def test_reassigning_needs_a_handler_of_the_same_org(city, appeal, worker):
    stranger = handler("stranger", city.sibling_street)
    with pytest.raises(ValidationError):
        wf.appeal_reassign(user=worker, appeal=appeal, handler=stranger)
    colleague = handler("colleague", city.street)
    assert wf.appeal_reassign(user=worker, appeal=appeal, handler=colleague).handler == colleague
