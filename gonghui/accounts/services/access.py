"""The check every administrative write makes before touching another staff account."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.accounts.models import User
from gonghui.core.scoping import org_in_scope


def require_over(actor: User, user: User, capability: Capability, message: str) -> None:
    """PermissionDenied unless `actor` has `capability` and `user` lies inside the actor's scope.

    Views find the account through a scoped selector first (404 outside the scope); this is
    the same rule again where the write happens.
    """
    require(actor, capability, message)
    if user.scope_org is None or not org_in_scope(user.scope_org, user=actor):
        raise PermissionDenied(_("This account is outside your scope."))


def require_not_self(actor: User, user: User, message: str) -> None:
    if actor.pk == user.pk:
        raise PermissionDenied(message)
