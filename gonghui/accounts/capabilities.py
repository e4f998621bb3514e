"""What each role may do beyond reading its subtree. One table, checked by `can()`."""

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from gonghui.accounts.models import Role


class Capability(StrEnum):
    REVEAL_PII = "reveal_pii"  # see a member's full ID number or phone (audited)
    EXPORT_PII = "export_pii"  # export unmasked personal data (audited)
    IMPORT_MEMBERS = "import_members"
    MANAGE_MEMBERS = "manage_members"  # cards, transfers, join decisions, member edits
    # Separation of duties (MLPS level 3): three administrators, none able to act as another.
    MANAGE_USERS = "manage_users"  # system administrator: staff accounts, settings
    MANAGE_ROLES = "manage_roles"  # security administrator: roles, permissions
    MANAGE_KEYS = "manage_keys"  # security administrator: PII key rotation
    VIEW_AUDIT = "view_audit"  # auditor: reads and exports the audit log, changes nothing


BUSINESS = frozenset(
    {
        Capability.REVEAL_PII,
        Capability.EXPORT_PII,
        Capability.IMPORT_MEMBERS,
        Capability.MANAGE_MEMBERS,
    }
)


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.FEDERATION_ADMIN: BUSINESS,
    Role.OFFICER: frozenset(
        {Capability.REVEAL_PII, Capability.IMPORT_MEMBERS, Capability.MANAGE_MEMBERS}
    ),
    Role.APPEAL_HANDLER: frozenset(),
    Role.LAWYER: frozenset(),
    Role.AUDITOR: frozenset({Capability.VIEW_AUDIT}),
    Role.SYSTEM_ADMIN: frozenset({Capability.MANAGE_USERS}),
    Role.SECURITY_ADMIN: frozenset({Capability.MANAGE_ROLES, Capability.MANAGE_KEYS}),
    Role.READONLY: frozenset(),
}


def can(user: Any, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def require(user: Any, capability: Capability, message: str) -> None:
    """PermissionDenied with `message` unless the user's role has `capability`."""
    if not can(user, capability):
        raise PermissionDenied(message)
