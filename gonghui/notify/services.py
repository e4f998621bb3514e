"""The outbox: messages are queued in the business transaction and sent after it commits.

`message_enqueue` writes the row inside the caller's transaction (a rollback sends nothing) and,
once that transaction commits, enqueues the dispatcher job. `outbox_dispatch` claims due rows
(SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so several dispatchers share the work), sends
them and records the outcome; a failed attempt is retried with an exponential backoff.

A dispatcher killed after claiming leaves rows `sending`; after `NOTIFY_LEASE_SECONDS` they are
offered to the gateway again under the same message id, which the gateway (and the file backend)
uses to deliver each message at most once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.core import pii
from gonghui.core.validators import normalize_mobile, normalize_text
from gonghui.notify.backends import DeliveryError, SmsBackend, get_backend
from gonghui.notify.messages import TEMPLATES, render
from gonghui.notify.models import MessageStatus, OptOut, OutboxMessage

logger = logging.getLogger(__name__)
ERROR_LENGTH = 500


@transaction.atomic
def message_enqueue(
    *,
    template: str,
    phone: str,
    variables: dict[str, str],
    language: str = "zh-hans",
    reference: str = "",
) -> OutboxMessage:
    """Queue one SMS in the current transaction; the dispatcher runs once it commits."""
    phone = normalize_mobile(phone)
    body = render(template, language=language, variables=variables)
    message = OutboxMessage.objects.create(
        template=template,
        language=language,
        transactional=TEMPLATES[template].transactional,
        phone=pii.encrypt(phone),
        phone_index=pii.blind_index(phone, kind="phone"),
        phone_masked=pii.mask_phone(phone),
        body=body,
        reference=reference[:64],
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(dispatcher_start)
    return message


def dispatcher_start() -> None:
    """Enqueue the dispatcher job (call it once the messages' transaction committed)."""
    from gonghui.notify.tasks import dispatch_outbox

    dispatch_outbox.enqueue()


@transaction.atomic
def opt_out_add(*, phone: str) -> OptOut:
    phone = normalize_mobile(phone)
    opt_out, _created = OptOut.objects.get_or_create(
        phone_index=pii.blind_index(phone, kind="phone"),
        defaults={"phone_masked": pii.mask_phone(phone)},
    )
    return opt_out


# What members reply to a notice to stop them (carriers' convention), compared case-blind
# after full-width characters and spaces are folded.
OPT_OUT_WORDS = frozenset({"T", "TD", "N", "退订", "取消", "UNSUBSCRIBE", "STOP"})


def is_opt_out_reply(text: str) -> bool:
    return normalize_text(text).replace(" ", "").upper() in OPT_OUT_WORDS


@transaction.atomic
def inbound_sms_receive(*, phone: str, text: str) -> bool:
    """A member's reply forwarded by the SMS gateway: an opt-out word opts the phone out.

    Returns whether it did; any other reply is left to the appeal line's SMS intake.
    """
    if not is_opt_out_reply(text):
        return False
    opt_out_add(phone=phone)
    return True


@transaction.atomic
def opt_out_remove(*, phone: str) -> None:
    phone = normalize_mobile(phone)
    OptOut.objects.filter(phone_index=pii.blind_index(phone, kind="phone")).delete()


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: the base, doubled after each failure (≤ 1 day)."""
    seconds = settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86_400))


@transaction.atomic
def _claim(*, now: datetime, limit: int) -> list[OutboxMessage]:
    stale = now - timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    due = Q(status=MessageStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lte=stale
    )
    rows = OutboxMessage.objects.filter(due).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    # SQLite has no row locks: its IMMEDIATE transactions let one claimer in at a time.
    claimed = list(rows[:limit])
    for message in claimed:
        message.status = MessageStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
    OutboxMessage.objects.bulk_update(claimed, ["status", "claimed_at", "attempts"])
    return claimed


def _opted_out(message: OutboxMessage) -> bool:
    return (
        not message.transactional
        and OptOut.objects.filter(phone_index=message.phone_index).exists()
    )


def _deliver(message: OutboxMessage, backend: SmsBackend) -> None:
    fields = ["status", "sent_at", "provider_reference", "last_error", "next_attempt_at"]
    if _opted_out(message):
        message.status = MessageStatus.SUPPRESSED
    else:
        try:
            reference = backend.send(
                message_id=str(message.message_id),
                phone=pii.decrypt(message.phone),
                text=message.body,
            )
        except DeliveryError as exc:
            message.last_error = str(exc)[:ERROR_LENGTH]
            if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
            else:
                message.status = MessageStatus.QUEUED
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
            logger.warning("SMS %s attempt %d failed", message.message_id, message.attempts)
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.provider_reference = reference[:100]
            message.last_error = ""
    # Only the claimer may record the outcome: a row reclaimed after its lease is not ours.
    OutboxMessage.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at
    ).update(**{name: getattr(message, name) for name in fields})


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    suppressed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retried + self.suppressed


def outbox_dispatch(
    *, backend: SmsBackend | None = None, limit: int | None = None
) -> DispatchResult:
    """Send every due message, batch by batch, until none is due (or `limit` are handled)."""
    backend = backend or get_backend()
    result = DispatchResult()
    batch = settings.NOTIFY_BATCH
    while limit is None or result.handled < limit:
        size = batch if limit is None else min(batch, limit - result.handled)
        claimed = _claim(now=timezone.now(), limit=size)
        if not claimed:
            break
        for message in claimed:
            _deliver(message, backend)
            if message.status == MessageStatus.SENT:
                result.sent += 1
            elif message.status == MessageStatus.FAILED:
                result.failed += 1
            elif message.status == MessageStatus.SUPPRESSED:
                result.suppressed += 1
            else:
                result.retried += 1
    return result
