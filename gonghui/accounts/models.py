import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("Federation administrator")
    OFFICER = "officer", _("Union officer")
    APPEAL_HANDLER = "appeal_handler", _("Appeal handler")
    LAWYER = "lawyer", _("Lawyer / mediator")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    READONLY = "readonly", _("Read-only")


class User(AbstractUser):
    """A staff user. What they see is the subtree of `scope_org` (gonghui.core.scoping)."""

    scope_org = models.ForeignKey(
        "orgs.UnionOrg",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("scope organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.READONLY)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    @property
    def display_name(self) -> str:
        """Chinese order: family name first, no space (王建华)."""
        return f"{self.last_name}{self.first_name}" or self.username

    @cached_property
    def scope_path(self) -> str | None:
        return self.scope_org.path if self.scope_org_id else None


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
