from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class AuditEntry(models.Model):
    """One sensitive action: who did what to which object, when and why. Written by services."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
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

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target_type}"


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
