"""Scope declarations of the SMS broadcasts' routes (see core/tests/test_scope_sweep.py).

A broadcast is placed in the tree by its audience org."""

# The SMS gateway's channel client forwards replies; a staff token gets 401 (test_inbound.py).
PUBLIC = {"POST /api/v1/sms/inbound"}
LISTS = {"notify:broadcasts", "notify:broadcast_new", "notify:broadcast_audience"}
DETAILS = {"notify:broadcast": lambda c, org: {"pk": _draft_at(c, org).pk}}
ACTIONS = {
    "notify:broadcast_send": lambda c, org: {"pk": _draft_at(c, org).pk},
    "notify:broadcast_cancel": lambda c, org: {"pk": _draft_at(c, org).pk},
}


def _draft_at(city, org):
    from gonghui.notify.models import Broadcast

    return Broadcast.objects.create(org=org, sender=org, title=f"{org.name}的通知", text="通知内容")
