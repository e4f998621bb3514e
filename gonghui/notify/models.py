import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import EncryptedTextField


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (opted out)")


class OutboxMessage(models.Model):
    """One SMS to send, written in the transaction of the business change that causes it.

    The dispatcher claims queued rows (SKIP LOCKED on PostgreSQL), marks them `sending`, hands
    them to the gateway with `message_id` as the gateway's idempotency key and records the
    outcome: queued → sending → sent | failed (| queued again for a retry after a backoff).
    The phone is stored encrypted like the registry's; only the dispatcher decrypts it.
    """

    message_id = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    transactional = models.BooleanField(_("transactional"), default=True)
    phone = EncryptedTextField(_("mobile phone (encrypted)"))
    phone_index = models.CharField(_("phone index"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11)
    body = models.TextField(_("text"))
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.template} {self.phone_masked} {self.status}"


class OptOut(models.Model):
    """A phone that declined non-transactional messages (surveys, notices); found by index."""

    phone_index = models.CharField(_("phone index"), max_length=32, unique=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return self.phone_masked


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Being queued")
    SENT = "sent", _("Queued for sending")
    CANCELLED = "cancelled", _("Cancelled")


class Broadcast(models.Model):
    """A notice sent by SMS to the active members with a phone in `org`'s subtree (those of
    `segment` only, when one is chosen).

    Not transactional: opted-out phones are left out when the messages are queued and again
    when each is sent. The fan-out is one set-based INSERT … SELECT into the outbox, run by a
    background job; each phone gets one message however many member records share it.
    """

    scope_path = "org__path"

    org = models.ForeignKey(
        "orgs.UnionOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("audience")
    )
    # The writer's federation, whose name signs the message.
    sender = models.ForeignKey(
        "orgs.UnionOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    # Narrows the audience to the members a saved segment selects (gonghui.benefits).
    segment = models.ForeignKey(
        "benefits.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    recipients = models.PositiveIntegerField(_("messages queued"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS broadcast")
        verbose_name_plural = _("SMS broadcasts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The outbox rows of this broadcast carry this reference."""
        return f"broadcast:{self.pk}"
