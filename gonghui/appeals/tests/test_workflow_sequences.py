"""Random sequences of actions through the real services agree with the workflow table."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import Role
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.services.machine import allowed, next_status, reopens
from gonghui.appeals.tests.helpers import file_appeal, handler

pytestmark = pytest.mark.django_db

STEPS = {
    "accept": lambda ctx, a: wf.appeal_accept(user=ctx["actor"], appeal=a),
    "start": lambda ctx, a: wf.appeal_start(user=ctx["actor"], appeal=a),
    "reply": lambda ctx, a: wf.appeal_reply(user=ctx["actor"], appeal=a, text="答复内容"),
    "callback": lambda ctx, a: wf.appeal_callback(
        user=ctx["actor"], appeal=a, satisfaction=ctx["satisfaction"]
    ),
    "close": lambda ctx, a: wf.appeal_close(user=ctx["actor"], appeal=a),
    "reopen": lambda ctx, a: wf.appeal_reopen(user=ctx["actor"], appeal=a, reason="复查"),
    "reassign": lambda ctx, a: wf.appeal_reassign(
        user=ctx["actor"], appeal=a, handler=ctx["handlers"][a.org_id]
    ),
    "supervise": lambda ctx, a: wf.appeal_supervise(user=ctx["city"], appeal=a, note="督办"),
    "return": lambda ctx, a: wf.appeal_return(user=ctx["actor"], appeal=a, reason="退回"),
    "dispatch": lambda ctx, a: wf.appeal_dispatch(user=ctx["actor"], appeal=a),
}


class Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=12),
    satisfaction=st.sampled_from(["satisfied", "basic", "dissatisfied", ""]),
)
def test_services_follow_the_table_and_record_every_change(city, steps, satisfaction):
    try:
        with transaction.atomic():
            top = handler("seq_city", city.city)
            ctx = {
                "actor": top,  # sees the appeal wherever returns take it
                "handlers": {
                    city.street.pk: handler("seq_street", city.street),
                    city.district.pk: handler("seq_district", city.district),
                    city.city.pk: top,
                },
                "city": handler("seq_admin", city.city, Role.FEDERATION_ADMIN),
                "satisfaction": satisfaction,
            }
            appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
            expected = appeal.status
            for step in steps:
                appeal.refresh_from_db()
                recorded = appeal.actions.count()
                if step == "supervise" and appeal.org_id == city.city.pk:
                    continue  # nobody is above the city federation to supervise it
                top_return = step == "return" and appeal.org_id == city.city.pk
                if top_return or not allowed(step, expected):
                    # (Nobody is above the city federation to return it to: it transfers.)
                    with pytest.raises(ValidationError):
                        STEPS[step](ctx, appeal)
                    assert appeal.actions.count() == recorded
                    continue
                STEPS[step](ctx, appeal)
                expected = next_status(step, expected)
                if step == "callback" and reopens(satisfaction):
                    expected = next_status("reopen", expected)
                appeal.refresh_from_db()
                assert appeal.status == expected
                assert appeal.actions.count() > recorded
                assert appeal.actions.last().to_status == expected
            raise Rollback
    except Rollback:
        pass
