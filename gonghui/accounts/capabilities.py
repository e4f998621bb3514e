"""What each role may do beyond reading its subtree. One table, checked by `can()`."""

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Role


class Capability(StrEnum):
    REVEAL_PII = "reveal_pii"  # see a member's full ID number or phone (audited)
    EXPORT_PII = "export_pii"  # export unmasked personal data (audited)
    IMPORT_MEMBERS = "import_members"
    MANAGE_MEMBERS = "manage_members"  # cards, transfers, join decisions, member edits
    # Separation of duties (MLPS level 3): three administrators, none able to act as another.
    MANAGE_USERS = "manage_users"  # system administrator: staff accounts, settings
    MANAGE_ROLES = "manage_roles"  # security administrator: roles, second factors, lockouts
    MANAGE_KEYS = "manage_keys"  # security administrator: PII key rotation
    VIEW_AUDIT = "view_audit"  # auditor: reads and exports the audit log, changes nothing
    MANAGE_ASSESSMENTS = "manage_assessments"  # set child orgs' yearly targets (建会考核)


BUSINESS = frozenset(
    {
        Capability.REVEAL_PII,
        Capability.EXPORT_PII,
        Capability.IMPORT_MEMBERS,
        Capability.MANAGE_MEMBERS,
        Capability.MANAGE_ASSESSMENTS,
    }
)


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.FEDERATION_ADMIN: BUSINESS,
    Role.OFFICER: frozenset(
        {
            Capability.REVEAL_PII,
            Capability.IMPORT_MEMBERS,
            Capability.MANAGE_MEMBERS,
            Capability.MANAGE_ASSESSMENTS,
        }
    ),
    Role.APPEAL_HANDLER: frozenset(),
    Role.LAWYER: frozenset(),
    Role.AUDITOR: frozenset({Capability.VIEW_AUDIT}),
    Role.SYSTEM_ADMIN: frozenset({Capability.MANAGE_USERS}),
    Role.SECURITY_ADMIN: frozenset({Capability.MANAGE_ROLES, Capability.MANAGE_KEYS}),
    Role.READONLY: frozenset(),
}


# Capabilities that open personal data: using one needs a session confirmed with a second
# factor (TOTP or a backup code), whatever page or service asks.
PERSONAL_DATA = frozenset({Capability.REVEAL_PII, Capability.EXPORT_PII})

# Roles that must use two-factor login besides those holding a personal-data capability.
TWO_FACTOR_ROLES = frozenset({Role.FEDERATION_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


class TwoFactorRequired(PermissionDenied):
    """The role may do this, but the session has not been confirmed with a second factor."""


def can(user: Any, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def two_factor_required(user: Any) -> bool:
    """Whether the user must confirm every login with a second factor (else it is optional)."""
    if not getattr(user, "is_authenticated", False):
        return False
    role = user.role
    return (
        user.is_superuser
        or role in TWO_FACTOR_ROLES
        or bool(ROLE_CAPABILITIES.get(role, frozenset()) & PERSONAL_DATA)
    )


def two_factor_verified(user: Any) -> bool:
    """Whether this request's session was confirmed with a device (django-otp's middleware).

    Bearer-token API requests never are: they cannot open personal data.
    """
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def require(user: Any, capability: Capability, message: str) -> None:
    """PermissionDenied with `message` unless the user's role has `capability`; for a
    personal-data capability, TwoFactorRequired unless the session is two-factor verified."""
    if not can(user, capability):
        raise PermissionDenied(message)
    if capability in PERSONAL_DATA and not two_factor_verified(user):
        raise TwoFactorRequired(
            _("Confirm your login with your authenticator code before opening personal data.")
        )
