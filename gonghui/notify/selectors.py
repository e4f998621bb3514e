"""Scoped reads of the SMS broadcasts."""

from typing import Any

from django.db.models import Count, QuerySet

from gonghui.core.scoping import scoped
from gonghui.notify.models import Broadcast, MessageStatus, OutboxMessage
from gonghui.orgs.models import UnionOrg


def broadcast_list(*, user: Any) -> QuerySet[Broadcast]:
    return scoped(
        Broadcast.objects.select_related("org", "sender", "created_by", "sent_by"), user=user
    )


def broadcast_get(*, user: Any, pk: int) -> Broadcast | None:
    return broadcast_list(user=user).filter(pk=pk).first()


def broadcast_org(*, user: Any, code: str) -> UnionOrg | None:
    """The union with this code, if it lies in the user's subtree."""
    return scoped(UnionOrg.objects.all(), user=user).filter(code=code.strip()).first()


def broadcast_delivery(*, broadcast: Broadcast) -> list[tuple[str, int]]:
    """(status label, messages) of the broadcast's outbox rows, in the order of the statuses."""
    counts = dict(
        OutboxMessage.objects.filter(reference=broadcast.reference)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(str(label), counts.get(value, 0)) for value, label in MessageStatus.choices]
