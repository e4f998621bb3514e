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
    HANDLE_APPEALS = "handle_appeals"  # act on the subtree's appeals: dispatch, reply, supervise
    TAKE_APPEALS = "take_appeals"  # a named handler: appeals dispatched to their org go to them
    SEND_BROADCASTS = "send_broadcasts"  # SMS notices to the members of the subtree
    # Organisation work: register verification decisions, supervision follow-ups, staffing,
    # chair elections, standardisation assessments.
    MANAGE_ORG_WORK = "manage_org_work"
    # The rules of organisation work (supervision rule, staffing norm, rating checklist).
    CONFIGURE_ORG_WORK = "configure_org_work"
    MANAGE_PLACES = "manage_places"  # service points, their import, venues, slots, bookings
    # Separation of duties (MLPS level 3): three administrators, none able to act as another.
    MANAGE_USERS = "manage_users"  # system administrator: staff accounts
    MANAGE_SETTINGS = "manage_settings"  # system administrator: the holiday calendar
    MANAGE_ROLES = "manage_roles"  # security administrator: roles, second factors, lockouts
    MANAGE_KEYS = "manage_keys"  # security administrator: PII key rotation
    VIEW_AUDIT = "view_audit"  # auditor: reads and exports the audit log, changes nothing
    HANDLE_LEGAL = "handle_legal"  # consultations, legal aid and dispute cases: record, act
    REVIEW_LEGAL_AID = "review_legal_aid"  # decide legal-aid applications, assign lawyers
    MANAGE_BENEFITS = "manage_benefits"  # service items, segments, projects, events
    REVIEW_SUBSIDIES = "review_subsidies"  # decide subsidy applications, payment batches
    MANAGE_ASSESSMENTS = "manage_assessments"  # set child orgs' yearly targets (建会考核)


BUSINESS = frozenset(
    {
        Capability.REVEAL_PII,
        Capability.EXPORT_PII,
        Capability.IMPORT_MEMBERS,
        Capability.MANAGE_MEMBERS,
        Capability.HANDLE_LEGAL,
        Capability.REVIEW_LEGAL_AID,
        Capability.MANAGE_ORG_WORK,
        Capability.MANAGE_PLACES,
        Capability.MANAGE_BENEFITS,
        Capability.REVIEW_SUBSIDIES,
        Capability.MANAGE_ASSESSMENTS,
    }
)


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.FEDERATION_ADMIN: BUSINESS
    | {Capability.HANDLE_APPEALS, Capability.SEND_BROADCASTS, Capability.CONFIGURE_ORG_WORK},
    Role.OFFICER: frozenset(
        {
            Capability.REVEAL_PII,
            Capability.IMPORT_MEMBERS,
            Capability.MANAGE_MEMBERS,
            Capability.HANDLE_APPEALS,
            Capability.TAKE_APPEALS,
            Capability.SEND_BROADCASTS,
            Capability.HANDLE_LEGAL,
            Capability.REVIEW_LEGAL_AID,
            Capability.MANAGE_ORG_WORK,
            Capability.MANAGE_PLACES,
            Capability.MANAGE_BENEFITS,
            Capability.REVIEW_SUBSIDIES,
            Capability.MANAGE_ASSESSMENTS,
        }
    ),
    Role.APPEAL_HANDLER: frozenset(
        {Capability.HANDLE_APPEALS, Capability.TAKE_APPEALS, Capability.HANDLE_LEGAL}
    ),
    Role.LAWYER: frozenset({Capability.HANDLE_LEGAL}),
    Role.AUDITOR: frozenset({Capability.VIEW_AUDIT}),
    Role.SYSTEM_ADMIN: frozenset({Capability.MANAGE_USERS, Capability.MANAGE_SETTINGS}),
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


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles that hold `capability`, for queries over staff users (`role__in=`)."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)


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
