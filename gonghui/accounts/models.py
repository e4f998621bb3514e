import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import EncryptedTextField


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("Federation administrator")
    OFFICER = "officer", _("Union officer")
    APPEAL_HANDLER = "appeal_handler", _("Appeal handler")
    LAWYER = "lawyer", _("Lawyer / mediator")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    READONLY = "readonly", _("Read-only")


class _ScopePath:
    """`User.scope_path` means what it means on every scoped model, read from both sides.

    On the class it names the field that places a staff user in the tree, so that
    `scoped(User.objects…)` keeps the accounts of a subtree; on an instance it is the path of
    the user's own scope org, the prefix of everything that user may see. Cached per instance.
    """

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return "scope_org__path"
        value = instance.scope_org.path if instance.scope_org_id else None
        instance.__dict__["scope_path"] = value
        return value


class User(AbstractUser):
    """A staff user. What they see is the subtree of `scope_org` (gonghui.core.scoping).

    Contacts used to reset a password count only once their owner has proved them: the e-mail
    address through a signed link, the phone through a one-time code. `verified_email` and
    `verified_phone_index` remember the proved values, so any change of `email` or `phone`,
    through whatever path, leaves the new value unproved.
    """

    scope_path = _ScopePath()

    scope_org = models.ForeignKey(
        "orgs.UnionOrg",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("scope organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.READONLY)
    verified_email = models.EmailField(_("verified e-mail address"), blank=True)
    # The phone is personal data: encrypted, found through its blind index, shown masked.
    phone = EncryptedTextField(_("mobile phone (encrypted)"), blank=True)
    phone_index = models.CharField(_("phone index"), max_length=32, blank=True, db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True)
    verified_phone_index = models.CharField(_("verified phone index"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    @property
    def display_name(self) -> str:
        """Chinese order: family name first, no space (王建华)."""
        return f"{self.last_name}{self.first_name}" or self.username

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email.lower() == self.verified_email.lower()

    @property
    def phone_verified(self) -> bool:
        return bool(self.phone_index) and self.phone_index == self.verified_phone_index


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integration clients. Only its SHA-256 is stored."""

    PREFIX = "gh_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    hint = models.CharField(_("hint"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user.username} {self.hint}…"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
