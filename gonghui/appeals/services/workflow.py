"""The life of an appeal after intake. Every function locks the appeal in the user's scope,
asks the state machine (`machine.next_status`) whether the action is allowed now, applies it
and records it with actor, time and note. Illegal transitions raise `IllegalTransition`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, roles_with
from gonghui.accounts.models import User
from gonghui.appeals.models import ActionKind, Appeal, AppealStatus, Difficulty, Satisfaction
from gonghui.appeals.services.deadlines import deadline_for
from gonghui.appeals.services.history import lock_for, lock_unscoped, record
from gonghui.appeals.services.intake import dispatch_to_handler
from gonghui.appeals.services.machine import next_status, reopens
from gonghui.appeals.services.routing import ancestors_of, handler_pick
from gonghui.core import pii
from gonghui.core.scoping import org_in_scope
from gonghui.notify.services import message_enqueue
from gonghui.orgs.models import OrgStatus, UnionOrg

A = ActionKind
NOTE_MAX = 2000
REPLY_MAX = 1000


def _note(text: str, *, required: bool, field: str = "note", maximum: int = NOTE_MAX) -> str:
    text = text.strip()
    if required and len(text) < 2:
        raise ValidationError({field: [_("Give a reason; it is kept in the appeal's history.")]})
    if len(text) > maximum:
        raise ValidationError(
            {field: [_("The text is too long (at most %(n)d characters).") % {"n": maximum}]}
        )
    return text


def _move(appeal: Appeal, action: str, *, actor: Any, note: str = "", **changes: Any) -> Appeal:
    """Apply `action` (checked by the state machine) with field `changes`, and record it."""
    before = appeal.status
    appeal.status = next_status(action, before)
    for name, value in changes.items():
        setattr(appeal, name, value)
    appeal.save()
    record(appeal, kind=action, actor=actor, from_status=before, note=note)
    return appeal


def _assignable(handler: Any, org: UnionOrg) -> None:
    if (
        not isinstance(handler, User)
        or not handler.is_active
        or handler.scope_org_id != org.pk
        or handler.role not in roles_with(Capability.TAKE_APPEALS)
    ):
        raise ValidationError(
            {"handler": [_("Choose an active appeal handler or officer of %(org)s.")
                         % {"org": org.name}]}
        )  # fmt: skip


def _parent(org: UnionOrg) -> UnionOrg | None:
    chain = ancestors_of(org)
    return chain[1] if len(chain) > 1 else None


@transaction.atomic
def appeal_dispatch(*, user: Any, appeal: Appeal, handler: Any = None) -> Appeal:
    """派单: give a received appeal to a handler of its org (the least loaded if none named)."""
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.DISPATCH, locked.status)
    handler = handler or handler_pick(org=locked.org)
    if handler is None:
        raise ValidationError(
            {"handler": [_("%(org)s has no active appeal handler or officer to dispatch to.")
                         % {"org": locked.org.name}]}
        )  # fmt: skip
    _assignable(handler, locked.org)
    return _move(locked, A.DISPATCH, actor=user, note=handler.get_username(), handler=handler)


@transaction.atomic
def appeal_reassign(*, user: Any, appeal: Appeal, handler: Any) -> Appeal:
    """Give the appeal to another handler of the same org; the new handler accepts it anew."""
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.REASSIGN, locked.status)
    _assignable(handler, locked.org)
    return _move(locked, A.REASSIGN, actor=user, note=handler.get_username(), handler=handler)


@transaction.atomic
def appeal_assign(*, user: Any, appeal: Appeal, handler: Any) -> Appeal:
    """Dispatch a received appeal or reassign a dispatched one (the workbench's bulk action)."""
    if appeal.status == AppealStatus.RECEIVED:
        return appeal_dispatch(user=user, appeal=appeal, handler=handler)
    return appeal_reassign(user=user, appeal=appeal, handler=handler)


@transaction.atomic
def appeal_accept(*, user: Any, appeal: Appeal) -> Appeal:
    locked = lock_for(user=user, appeal=appeal)
    handler = user if user.scope_org_id == locked.org_id else locked.handler
    return _move(locked, A.ACCEPT, actor=user, handler=handler)


@transaction.atomic
def appeal_start(*, user: Any, appeal: Appeal) -> Appeal:
    return _move(lock_for(user=user, appeal=appeal), A.START, actor=user)


@transaction.atomic
def appeal_return(*, user: Any, appeal: Appeal, reason: str) -> Appeal:
    """退回: the org cannot handle it; it goes back up to the org above for a new dispatch."""
    reason = _note(reason, required=True, field="reason")
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.RETURN, locked.status)
    parent = _parent(locked.org)
    if parent is None:
        raise ValidationError(_("The top organisation cannot return an appeal; transfer it."))
    return _move(locked, A.RETURN, actor=user, note=reason, org=parent, handler=None)


@transaction.atomic
def appeal_transfer(*, user: Any, appeal: Appeal, org: UnionOrg, reason: str) -> Appeal:
    """转办: to the org that is competent, anywhere in the tree; dispatched to its handler."""
    reason = _note(reason, required=True, field="reason")
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.TRANSFER, locked.status)
    if org.status != OrgStatus.ACTIVE or org.pk == locked.org_id:
        raise ValidationError({"org": [_("Choose another, active organisation.")]})
    _move(locked, A.TRANSFER, actor=user, note=f"{org.code} {reason}", org=org, handler=None)
    dispatch_to_handler(locked)
    return locked


@transaction.atomic
def appeal_supervise(*, user: Any, appeal: Appeal, note: str) -> Appeal:
    """督办 by an org above the one handling the appeal."""
    note = _note(note, required=True)
    locked = lock_for(user=user, appeal=appeal)
    scope = user.scope_org
    if scope is None or scope.pk == locked.org_id:
        raise PermissionDenied(_("Only an organisation above the handling one may supervise."))
    return _move(locked, A.SUPERVISE, actor=user, note=note, supervised=True, supervising_org=scope)


@transaction.atomic
def appeal_reclassify(*, user: Any, appeal: Appeal, difficulty: str, note: str) -> Appeal:
    """Change the difficulty class; the deadline is counted again from the day of receipt."""
    if difficulty not in Difficulty.values:
        raise ValidationError({"difficulty": [_("Unknown difficulty class.")]})
    note = _note(note, required=True)
    locked = lock_for(user=user, appeal=appeal)
    deadline = deadline_for(received_at=locked.received_at, difficulty=difficulty)
    label = Difficulty(difficulty).label
    return _move(locked, A.RECLASSIFY, actor=user, note=f"{label}: {note}",
                 difficulty=difficulty, deadline=deadline)  # fmt: skip


@transaction.atomic
def appeal_reply(
    *, user: Any, appeal: Appeal, text: str, language: str = "zh-hans", notify: bool = True
) -> Appeal:
    """The answer to the worker: shown on the portal and sent by SMS (unless `notify=False`,
    for loading past appeals)."""
    text = _note(text, required=True, field="text", maximum=REPLY_MAX)
    locked = lock_for(user=user, appeal=appeal)
    _move(locked, A.REPLY, actor=user, note=text, reply=text, replied_at=timezone.now())
    if not notify:
        return locked
    message_enqueue(
        template="appeal_replied",
        phone=pii.decrypt(locked.phone),
        variables={"code": locked.tracking_code, "reply": text},
        language=language,
        reference=locked.tracking_code,
    )
    return locked


def _rated(appeal: Appeal, satisfaction: str, *, actor: Any, action: str, note: str) -> Appeal:
    if satisfaction and satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Unknown satisfaction.")]})
    _move(appeal, action, actor=actor, note=note, satisfaction=satisfaction,
          rated_at=timezone.now() if satisfaction else None)  # fmt: skip
    if reopens(satisfaction):
        # The rating just recorded is the reason; the history shows both steps.
        _reopen(appeal, actor=actor, reason="")
    return appeal


def _reopen(appeal: Appeal, *, actor: Any, reason: str) -> Appeal:
    supervisor = _parent(appeal.org) or appeal.org
    return _move(appeal, A.REOPEN, actor=actor, note=reason, supervised=True,
                 supervising_org=supervisor, reopen_count=appeal.reopen_count + 1,
                 closed_at=None)  # fmt: skip


@transaction.atomic
def appeal_callback(*, user: Any, appeal: Appeal, satisfaction: str, note: str = "") -> Appeal:
    """回访: the handler calls the worker back and records the satisfaction (empty when the
    worker could not be reached). Dissatisfied reopens the appeal under supervision."""
    note = _note(note, required=False)
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.CALLBACK, locked.status)
    return _rated(locked, satisfaction, actor=user, action=A.CALLBACK, note=note)


@transaction.atomic
def appeal_rate(*, appeal: Appeal, satisfaction: str) -> Appeal:
    """The worker's own rating from the portal (the page checked the code and phone digits),
    once per reply."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose how satisfied you are.")]})
    locked = lock_unscoped(appeal)
    next_status(A.RATE, locked.status)
    if locked.rated_at and locked.replied_at and locked.rated_at >= locked.replied_at:
        raise ValidationError(_("You have already rated this reply. Thank you."), code="rated")
    return _rated(locked, satisfaction, actor=None, action=A.RATE, note="")


@transaction.atomic
def appeal_reopen(*, user: Any, appeal: Appeal, reason: str) -> Appeal:
    reason = _note(reason, required=True, field="reason")
    locked = lock_for(user=user, appeal=appeal)
    next_status(A.REOPEN, locked.status)
    return _reopen(locked, actor=user, reason=reason)


@transaction.atomic
def appeal_close(*, user: Any, appeal: Appeal) -> Appeal:
    locked = lock_for(user=user, appeal=appeal)
    return _move(locked, A.CLOSE, actor=user, closed_at=timezone.now())


@transaction.atomic
def appeal_merge(*, user: Any, appeal: Appeal, into: Appeal, note: str = "") -> Appeal:
    """A duplicate is closed into the appeal that carries on; both histories say so."""
    note = _note(note, required=False)
    locked = lock_for(user=user, appeal=appeal)
    target = lock_for(user=user, appeal=into)
    if target.pk == locked.pk or target.status == AppealStatus.MERGED:
        raise ValidationError({"into": [_("Merge into another appeal that is not merged.")]})
    if not org_in_scope(target.org, user=user):
        raise PermissionDenied(_("This appeal is outside your organisation's scope."))
    _move(locked, A.MERGE, actor=user, note=f"→ {target.tracking_code} {note}".strip(),
          merged_into=target, closed_at=timezone.now())  # fmt: skip
    record(target, kind=A.MERGE, actor=user, from_status=target.status,
           note=f"← {locked.tracking_code} {note}".strip())  # fmt: skip
    return locked
