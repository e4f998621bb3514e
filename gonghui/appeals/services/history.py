"""Locking an appeal for a change and writing its history (shared by every write service)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.appeals.models import Appeal, AppealAction
from gonghui.core.scoping import scoped

SYSTEM = "system"


def actor_name(user: Any) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        name: str = user.get_username()
        return name
    return SYSTEM


def lock_for(*, user: Any, appeal: Appeal) -> Appeal:
    """Re-read and lock `appeal` inside the user's scope; PermissionDenied otherwise."""
    if not can(user, Capability.HANDLE_APPEALS):
        raise PermissionDenied(_("Your role may not handle appeals."))
    locked = (
        scoped(Appeal.objects.select_for_update(of=("self",)), user=user)
        .filter(pk=appeal.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This appeal is outside your organisation's scope."))
    return locked


def lock_unscoped(appeal: Appeal) -> Appeal:
    """For the worker's own actions (the portal checked the code and phone digits)."""
    return Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)


def record(
    appeal: Appeal, *, kind: str, actor: Any, from_status: str, note: str = ""
) -> AppealAction:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AppealAction.objects.create(
        appeal=appeal,
        actor=actor if is_user else None,
        actor_name=actor_name(actor),
        kind=kind,
        from_status=from_status,
        to_status=appeal.status,
        org=appeal.org,
        note=note,
    )
