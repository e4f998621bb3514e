from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import auditchain
from gonghui.core.redaction import redact_text, redact_value


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("Reveal of personal data")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    KEY_ROTATION = "key_rotation", _("Key rotation")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Account locked out")
    LOGOUT = "logout", _("Logout")
    TWO_FACTOR = "two_factor", _("Two-factor change")
    USER_CHANGE = "user_change", _("Staff account change")
    ROLE_CHANGE = "role_change", _("Role or permission change")
    AUDIT_EXPORT = "audit_export", _("Audit log export")
    AUDIT_PRUNE = "audit_prune", _("Audit log pruning")
    BACKUP = "backup", _("Backup")
    RESTORE = "restore", _("Restore")
    BROADCAST = "broadcast", _("SMS broadcast")


class AuditEntryQuerySet(models.QuerySet):
    """Entries are appended and read; changing or removing them through the ORM is refused.

    The one exception is the prune service (gonghui.core.audit_services.audit_prune), which deletes
    the oldest entries past the retention inside `auditchain.pruning()`.
    """

    def update(self, **kwargs):
        raise auditchain.AppendOnlyError("audit entries cannot be changed")

    def bulk_update(self, *args, **kwargs):
        raise auditchain.AppendOnlyError("audit entries cannot be changed")

    def bulk_create(self, *args, **kwargs):
        # Each entry needs the hash of the one before it: only save() appends.
        raise auditchain.AppendOnlyError("audit entries are appended one by one (save)")

    def delete(self):
        if not auditchain.pruning_allowed():
            raise auditchain.AppendOnlyError("audit entries cannot be removed")
        return super().delete()


class AuditEntry(models.Model):
    """One sensitive action: who did what to which object, when and why. Written by services
    through gonghui.core.audit.audit_record; append-only and hash-chained (core.auditchain).

    On PostgreSQL a trigger also refuses UPDATE and DELETE issued outside the application.
    """

    # An auditor reads the entries of actors in their subtree (system entries: root auditors).
    scope_path = "actor__scope_org__path"

    seq = models.BigIntegerField(_("number"), unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["actor_name", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target_type}"

    def save(self, **kwargs):
        """Append this new entry to the chain; an entry once written is never saved again."""
        if not self._state.adding:
            raise auditchain.AppendOnlyError("audit entries cannot be changed")
        using = kwargs.pop("using", None) or router.db_for_write(AuditEntry, instance=self)
        kwargs.pop("force_insert", None)
        with transaction.atomic(using=using):
            auditchain.lock_chain(connections[using])
            last = (
                AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
            )
            last_seq, self.prev_hash = last or (0, auditchain.GENESIS)
            self.seq = last_seq + 1
            self.at = self.at or timezone.now()
            self.actor_name = redact_text(self.actor_name)
            self.reason = redact_text(self.reason)
            self.detail = redact_value(auditchain.normalize_detail(self.detail))
            self.address = self._meta.get_field("address").get_prep_value(self.address) or None
            self.hash = auditchain.entry_hash(
                seq=self.seq,
                at=self.at,
                actor_id=self.actor_id,
                actor_name=self.actor_name,
                action=str(self.action),
                target_type=self.target_type,
                target_id=self.target_id,
                reason=self.reason,
                detail=self.detail,
                address=self.address,
                prev_hash=self.prev_hash,
            )
            super().save(using=using, force_insert=True, **kwargs)

    def delete(self, *args, **kwargs):
        raise auditchain.AppendOnlyError("audit entries cannot be removed")


class Counter(models.Model):
    """A named number sequence (card numbers, …). `value` is the last number handed out.

    Services reserve numbers by raising `value` inside their transaction: the row lock makes
    concurrent reservations wait for each other, so no number is ever handed out twice.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off (public holiday)")
    WORKDAY = "workday", _("Adjusted working day")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week from the State Council's holiday notice.

    `holiday`: a weekday off; `workday`: a weekend day worked in exchange (调休上班). Days not
    listed follow the week. Admins enter the next year's notice when it appears (Nov/Dec);
    gonghui.core.workdays reads the table.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class RateLimitBucket(models.Model):
    """Requests counted for one key (limit name + hashed subject) in one fixed time window.

    gonghui.core.ratelimit raises `hits` with one INSERT … ON CONFLICT DO UPDATE … RETURNING,
    atomic under concurrency on PostgreSQL and SQLite, and deletes buckets whose window ended.
    Times are Unix seconds, so the raw statement needs no time zone handling.
    """

    key = models.CharField(_("key"), max_length=200)
    window_start = models.BigIntegerField(_("window start"))
    window_end = models.BigIntegerField(_("window end"), db_index=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate limit bucket")
        verbose_name_plural = _("rate limit buckets")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_bucket_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}={self.hits}"
