"""The workflow table: legal moves lead where the standard says, illegal ones are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.appeals.models import ActionKind, AppealStatus
from gonghui.appeals.services.machine import (
    TERMINAL,
    UNRESOLVED,
    IllegalTransition,
    allowed,
    allowed_actions,
    next_status,
)

actions = st.sampled_from(list(ActionKind))
statuses = st.sampled_from(list(AppealStatus))


def test_the_standard_cycle_runs_from_received_to_closed():
    status = AppealStatus.RECEIVED
    for action in ("dispatch", "accept", "start", "reply", "callback", "close"):
        status = next_status(action, status)
    assert status == AppealStatus.CLOSED


def test_an_illegal_move_is_refused_with_a_message_naming_both():
    from django.utils import translation

    with translation.override("en"), pytest.raises(IllegalTransition) as refused:
        next_status("close", "in_progress")
    assert refused.value.messages == ["“Closed” is not possible: the appeal is now “In progress”."]


@given(status=statuses, action=actions)
def test_a_move_is_possible_exactly_when_the_table_allows_it(status, action):
    if allowed(action, status):
        assert next_status(action, status) in AppealStatus.values
    else:
        with pytest.raises(IllegalTransition):
            next_status(action, status)


@given(path=st.lists(actions, max_size=40))
def test_any_sequence_of_attempts_keeps_the_rules(path):
    status = AppealStatus.RECEIVED
    replied = False
    for action in path:
        if not allowed(action, status):
            continue
        before, status = status, next_status(action, status)
        if action == "escalate":
            # Escalation only before the reply, and it never changes the status.
            assert before in UNRESOLVED
            assert status == before
        if status == AppealStatus.CLOSED:
            assert before == AppealStatus.CALLBACK  # closed only after the callback
        if status == AppealStatus.REPLIED:
            replied = True
        if before == AppealStatus.MERGED:
            pytest.fail("a merged appeal moved")
    if status == AppealStatus.CALLBACK:
        assert replied


@given(status=st.sampled_from(sorted(TERMINAL)))
def test_nothing_but_reopening_or_rating_leaves_a_closed_or_merged_appeal(status):
    # Passing it to legal services is a step of its history that keeps the status.
    assert set(allowed_actions(status)) <= {"reopen", "rate", "legal"}
    assert next_status("legal", AppealStatus.CLOSED) == AppealStatus.CLOSED
    if status == AppealStatus.MERGED:
        assert allowed_actions(status) == []
