"""SMS broadcasts: a notice to the members of an org subtree, queued into the outbox at once.

A broadcast is written as a draft, then queued by someone who may send broadcasts (audited);
a background job fans it out with one INSERT … SELECT (one message per distinct phone of the
subtree's active members, opted-out phones left out) and starts the dispatcher. The fan-out
runs in one transaction under the broadcast's row lock and only from `queued`, so a job that
runs twice queues nothing twice.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import org_in_scope, scoped
from gonghui.members.models import Member, MemberStatus
from gonghui.notify.messages import TEMPLATES, render
from gonghui.notify.models import Broadcast, BroadcastStatus, MessageStatus, OptOut, OutboxMessage
from gonghui.notify.services import dispatcher_start
from gonghui.orgs.models import UnionOrg

# Two long-SMS segments: longer notices belong on the portal, with a link in the text.
TEXT_MAX = 300
REFUSED = gettext_noop("Your role may not send SMS broadcasts.")


def _validated(*, title: str, text: str) -> tuple[str, str]:
    title, text = " ".join(title.split()), text.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the broadcast a title (staff see it, members do not).")]
    if not text:
        errors["text"] = [_("Write the text of the message.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [
            _("The text has %(n)d characters; at most %(max)d fit in a message.")
            % {"n": len(text), "max": TEXT_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    return title, text


@transaction.atomic
def broadcast_create(*, user: Any, org: UnionOrg, title: str, text: str) -> Broadcast:
    """A draft for the members of `org`'s subtree, which must lie in the user's."""
    require(user, Capability.SEND_BROADCASTS, _(REFUSED))
    if user.scope_org is None or not org_in_scope(org, user=user):
        raise PermissionDenied(_(REFUSED))
    title, text = _validated(title=title, text=text)
    return Broadcast.objects.create(
        org=org, sender=user.scope_org, title=title, text=text, created_by=user
    )


def broadcast_body(broadcast: Broadcast) -> str:
    """The text each member receives, signed with the sending federation's name."""
    return render(
        "broadcast",
        language="zh-hans",
        variables={"sender": broadcast.sender.name, "text": broadcast.text},
    )


def _locked(user: Any, pk: int) -> Broadcast:
    broadcast = (
        scoped(Broadcast.objects.select_related("org", "sender"), user=user)
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if broadcast is None:
        raise Broadcast.DoesNotExist
    return broadcast


@transaction.atomic
def broadcast_queue(*, user: Any, pk: int, request: HttpRequest | None = None) -> Broadcast:
    """Send a draft: it is fanned out into the outbox by a job once this commits."""
    require(user, Capability.SEND_BROADCASTS, _(REFUSED))
    broadcast = _locked(user, pk)
    if broadcast.status != BroadcastStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent."))
    broadcast.status = BroadcastStatus.QUEUED
    broadcast.sent_by, broadcast.sent_at = user, timezone.now()
    broadcast.save(update_fields=["status", "sent_by", "sent_at"])
    audit_record(
        actor=user,
        action=AuditAction.BROADCAST,
        target=broadcast,
        reason=broadcast.title,
        detail={"org": broadcast.org.code, "audience": broadcast_audience_count(org=broadcast.org)},
        request=request,
    )
    transaction.on_commit(lambda: _start_fan_out(broadcast.pk))
    return broadcast


@transaction.atomic
def broadcast_cancel(*, user: Any, pk: int) -> Broadcast:
    require(user, Capability.SEND_BROADCASTS, _(REFUSED))
    broadcast = _locked(user, pk)
    if broadcast.status != BroadcastStatus.DRAFT:
        raise ValidationError(_("Only a draft can be cancelled."))
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.save(update_fields=["status"])
    return broadcast


def _start_fan_out(pk: int) -> None:
    from gonghui.notify.tasks import fan_out_broadcast

    fan_out_broadcast.enqueue(pk)


def _audience_sql() -> tuple[str, list[Any]]:
    """`SELECT MIN(id)` of the subtree's reachable members, one per phone; params: path LIKE."""
    quote = connection.ops.quote_name
    member, org, optout = (quote(m._meta.db_table) for m in (Member, UnionOrg, OptOut))
    sql = (
        f"SELECT MIN(m.id) FROM {member} m JOIN {org} o ON o.id = m.org_id "
        f"WHERE o.path LIKE %s AND m.status = %s AND m.phone_index <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM {optout} x WHERE x.phone_index = m.phone_index) "
        f"GROUP BY m.phone_index"
    )
    return sql, [MemberStatus.ACTIVE]


def broadcast_audience_count(*, org: UnionOrg) -> int:
    """How many messages a broadcast to `org`'s subtree would queue now."""
    sql, params = _audience_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) audience", [f"{org.path}%", *params])
        return int(cursor.fetchone()[0])


@transaction.atomic
def broadcast_fan_out(*, pk: int) -> int:
    """Queue one outbox message per audience phone; 0 unless the broadcast was `queued`."""
    broadcast = (
        Broadcast.objects.select_for_update(of=("self",))
        .select_related("sender")
        .filter(pk=pk)
        .first()
    )
    if broadcast is None or broadcast.status != BroadcastStatus.QUEUED:
        return 0
    org = UnionOrg.objects.get(pk=broadcast.org_id)
    audience, params = _audience_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c)
        for c in (
            "message_id", "template", "language", "transactional", "phone", "phone_index",
            "phone_masked", "body", "reference", "status", "attempts", "next_attempt_at",
            "provider_reference", "last_error", "created_at",
        )
    )  # fmt: skip
    new_id = (
        "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(OutboxMessage._meta.db_table)} ({columns}) "
            f"SELECT {new_id}, %s, %s, %s, m.phone, m.phone_index, m.phone_masked, %s, %s, %s, "
            f"0, %s, '', '', %s FROM {quote(Member._meta.db_table)} m WHERE m.id IN ({audience})",
            [
                "broadcast",
                "zh-hans",
                TEMPLATES["broadcast"].transactional,
                broadcast_body(broadcast),
                broadcast.reference,
                MessageStatus.QUEUED,
                now,
                now,
                f"{org.path}%",
                *params,
            ],
        )
        queued = int(cursor.rowcount)
    broadcast.status, broadcast.recipients = BroadcastStatus.SENT, queued
    broadcast.save(update_fields=["status", "recipients"])
    transaction.on_commit(dispatcher_start)
    return queued
