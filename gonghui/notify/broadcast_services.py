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
from django.db.models import Min, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.accounts.capabilities import Capability, require
from gonghui.benefits.models import Segment
from gonghui.benefits.segments import segment_q
from gonghui.benefits.selectors import segment_list
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
def broadcast_create(
    *, user: Any, org: UnionOrg, title: str, text: str, segment: Segment | None = None
) -> Broadcast:
    """A draft for the members of `org`'s subtree, which must lie in the user's (narrowed to
    a segment the user may use)."""
    require(user, Capability.SEND_BROADCASTS, _(REFUSED))
    if user.scope_org is None or not org_in_scope(org, user=user):
        raise PermissionDenied(_(REFUSED))
    title, text = _validated(title=title, text=text)
    if segment is not None and not segment_usable(user=user, segment=segment):
        raise PermissionDenied(_(REFUSED))
    return Broadcast.objects.create(
        org=org, sender=user.scope_org, segment=segment, title=title, text=text, created_by=user
    )


def segment_usable(*, user: Any, segment: Segment) -> bool:
    """Segments of the user's subtree and of the unions above it (benefits' rule)."""
    return segment_list(user=user).filter(pk=segment.pk).exists()


def broadcast_body(broadcast: Broadcast) -> str:
    """The text each member receives, signed with the sending federation's name."""
    return render(
        "broadcast",
        language="zh-hans",
        variables={"sender": broadcast.sender.name, "text": broadcast.text},
    )


def _locked(user: Any, pk: int) -> Broadcast:
    broadcast = (
        scoped(Broadcast.objects.select_related("org", "sender", "segment"), user=user)
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
        # The number of messages is recorded on the broadcast by the fan-out: no second count
        # over the subtree here, in the request, under the broadcast's lock.
        detail={
            "org": broadcast.org.code,
            "segment": broadcast.segment.name if broadcast.segment else "",
        },
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


def _reachable(*, org: UnionOrg, segment: Segment | None) -> QuerySet[Member]:
    """The active members with a phone, not opted out, of `org`'s subtree (and `segment`)."""
    members = (
        Member.objects.filter(org__path__startswith=org.path, status=MemberStatus.ACTIVE)
        .exclude(phone_index="")
        .exclude(phone_index__in=OptOut.objects.values("phone_index"))
    )
    if segment is not None:
        members = members.filter(segment_q(segment.rules, today=timezone.localdate()))
    return members


def broadcast_audience_count(*, org: UnionOrg, segment: Segment | None = None) -> int:
    """How many messages a broadcast to `org`'s subtree (and `segment`) would queue now."""
    return _reachable(org=org, segment=segment).values("phone_index").distinct().count()


@transaction.atomic
def broadcast_fan_out(*, pk: int) -> int:
    """Queue one outbox message per audience phone; 0 unless the broadcast was `queued`."""
    broadcast = (
        Broadcast.objects.select_for_update(of=("self",))
        .select_related("sender", "segment")
        .filter(pk=pk)
        .first()
    )
    if broadcast is None or broadcast.status != BroadcastStatus.QUEUED:
        return 0
    org = UnionOrg.objects.get(pk=broadcast.org_id)
    # One message per phone: the lowest member id of each.
    first_per_phone = (
        _reachable(org=org, segment=broadcast.segment)
        .values("phone_index")
        .annotate(first=Min("id"))
        .values("first")
    )
    audience, params = first_per_phone.query.sql_with_params()
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
                *params,
            ],
        )
        queued = int(cursor.rowcount)
    broadcast.status, broadcast.recipients = BroadcastStatus.SENT, queued
    broadcast.save(update_fields=["status", "recipients"])
    transaction.on_commit(dispatcher_start)
    return queued
