"""Lifting a login lockout before its cool-off ends (django-axes keeps the failed attempts)."""

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.accounts.models import User
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scoped


@transaction.atomic
def lockout_clear(
    *,
    actor: User | None,
    username: str = "",
    address: str = "",
    request: HttpRequest | None = None,
) -> int:
    """Forget the failed logins of `username` or of `address` (one of them), which lifts its
    lockout; returns how many attempt records went. `actor` is the security administrator (a
    username must belong to an account in their scope), or None for the server's command line.
    """
    if bool(username) == bool(address):
        raise ValueError("give either a username or an address")
    account = User.objects.filter(username=username).first() if username else None
    if actor is not None:
        require(actor, Capability.MANAGE_ROLES, _("Your role may not lift lockouts."))
        if username and not scoped(User.objects.filter(username=username), user=actor).exists():
            raise PermissionDenied(_("This account is outside your scope."))
    cleared = int(axes_reset(username=username or None, ip=address or None))
    audit_record(
        actor=actor,
        action=AuditAction.LOCKOUT,
        target=account,
        detail={"event": "unlocked", "username": username, "address": address, "cleared": cleared},
        request=request,
    )
    return cleared
