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


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.FEDERATION_ADMIN: frozenset(Capability),
    Role.OFFICER: frozenset(
        {Capability.REVEAL_PII, Capability.IMPORT_MEMBERS, Capability.MANAGE_MEMBERS}
    ),
    Role.APPEAL_HANDLER: frozenset(),
    Role.LAWYER: frozenset(),
    Role.AUDITOR: frozenset(),
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
