"""Staff accounts managed by the two administrators, kept apart (separation of duties).

The system administrator creates accounts in their subtree, edits names, contacts and scope,
deactivates them and sends password links; never roles or second factors. The security
administrator assigns roles (services.two_factor resets second factors, services.lockouts lifts
lockouts); never creates or edits accounts. Nobody changes their own role or deactivates
themselves. Every change is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.accounts.capabilities import Capability, require
from gonghui.accounts.models import Role, User
from gonghui.accounts.services.access import require_not_self, require_over
from gonghui.accounts.services.contacts import CONTACT_FIELDS, apply_contacts, email_link_send
from gonghui.accounts.services.passwords import password_link_send
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.models import UnionOrg

MANAGE_USERS_REFUSED = gettext_noop("Your role may not manage staff accounts.")


def _require_scope_org(actor: User, org: UnionOrg) -> None:
    if not org_in_scope(org, user=actor):
        raise ValidationError({"scope_org": _("This union is outside your scope.")})


@transaction.atomic
def staff_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    scope_org: UnionOrg,
    email: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a read-only account without a password; its owner sets one through the
    invitation mailed to `email`, and the security administrator then gives it a role."""
    require(actor, Capability.MANAGE_USERS, _(MANAGE_USERS_REFUSED))
    _require_scope_org(actor, scope_org)
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        scope_org=scope_org,
        role=Role.READONLY,
    )
    user.set_unusable_password()
    changes = apply_contacts(user, email=email, phone=phone)
    user.full_clean(exclude=["password", "phone"])
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "created", "scope_org": scope_org.code, "changes": changes},
        request=request,
    )
    if user.email and request is not None:
        password_link_send(user=user, request=request, actor=actor)
    return user


@transaction.atomic
def staff_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    scope_org: UnionOrg,
    email: str | None = None,
    phone: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Edit an account's names, scope and contacts (None keeps a contact, "" removes it). A
    changed contact is unproved until the owner proves it (services.contacts), so it carries
    no password reset meanwhile."""
    require_over(actor, user, Capability.MANAGE_USERS, _(MANAGE_USERS_REFUSED))
    _require_scope_org(actor, scope_org)
    changes: dict[str, list[str]] = {}
    for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip())):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if user.scope_org_id != scope_org.pk:
        changes["scope_org"] = [user.scope_org.code if user.scope_org else "", scope_org.code]
        user.scope_org = scope_org
        user.__dict__.pop("scope_path", None)
    changes |= apply_contacts(user, email=email, phone=phone)
    if not changes:
        return user
    user.save(update_fields=["first_name", "last_name", "scope_org", *CONTACT_FIELDS])
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "updated", "changes": changes},
        request=request,
    )
    if "email" in changes and user.email and not user.email_verified and request is not None:
        email_link_send(user=user, request=request)
    return user


@transaction.atomic
def staff_set_active(
    *, actor: User, user: User, active: bool, request: HttpRequest | None = None
) -> User:
    """Deactivate an account (its sessions and API tokens stop working) or reactivate it."""
    require_over(actor, user, Capability.MANAGE_USERS, _(MANAGE_USERS_REFUSED))
    require_not_self(actor, user, _("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "reactivated" if active else "deactivated"},
        request=request,
    )
    return user


@transaction.atomic
def staff_role_set(
    *, actor: User, user: User, role: Role, request: HttpRequest | None = None
) -> User:
    """Give an account another role: the security administrator's act, never on themselves."""
    require_over(actor, user, Capability.MANAGE_ROLES, _("Your role may not assign roles."))
    require_not_self(actor, user, _("Nobody may change their own role."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if user.role == role:
        return user
    before, user.role = user.role, role
    user.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_CHANGE,
        target=user,
        detail={"from": before, "to": str(role)},
        request=request,
    )
    return user
