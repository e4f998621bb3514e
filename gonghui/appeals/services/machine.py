"""The appeal workflow as a table: which action is allowed in which status, and where it leads.

received → dispatched (派单) → accepted → in_progress → replied → callback (回访) → closed, with
return, transfer, supervision (督办), escalation, reclassification, merging and reopening. The
services consult `next_status` before every change, so an illegal transition is refused the same
way everywhere; the table is small enough to read and is tested exhaustively.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.appeals.models import ActionKind, AppealStatus, Satisfaction

S = AppealStatus
A = ActionKind

UNRESOLVED = frozenset({S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})
OPEN = UNRESOLVED | {S.REPLIED, S.CALLBACK}
TERMINAL = frozenset({S.CLOSED, S.MERGED})

# action → {from status: to status}; None as target keeps the status.
_TABLE: dict[str, dict[str, str | None]] = {
    A.RECEIVE: {},  # only intake creates an appeal in this status
    A.DISPATCH: {S.RECEIVED: S.DISPATCHED},
    A.REASSIGN: {S.DISPATCHED: S.DISPATCHED, S.ACCEPTED: S.DISPATCHED, S.IN_PROGRESS: S.DISPATCHED},
    A.ACCEPT: {S.DISPATCHED: S.ACCEPTED},
    A.START: {S.ACCEPTED: S.IN_PROGRESS},
    A.RETURN: {S.DISPATCHED: S.RECEIVED, S.ACCEPTED: S.RECEIVED},
    A.TRANSFER: dict.fromkeys(UNRESOLVED, S.RECEIVED),
    A.SUPERVISE: dict.fromkeys(UNRESOLVED),
    A.ESCALATE: dict.fromkeys(UNRESOLVED),
    A.RECLASSIFY: dict.fromkeys(UNRESOLVED),
    A.REPLY: {S.ACCEPTED: S.REPLIED, S.IN_PROGRESS: S.REPLIED},
    A.CALLBACK: {S.REPLIED: S.CALLBACK},
    A.RATE: {S.REPLIED: S.CALLBACK, S.CALLBACK: None, S.CLOSED: None},
    A.REOPEN: {S.CALLBACK: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS},
    A.CLOSE: {S.CALLBACK: S.CLOSED},
    A.MERGE: dict.fromkeys(UNRESOLVED, S.MERGED),
    A.ATTACH: dict.fromkeys(OPEN),
    # Passing an appeal to legal services (a consultation or case made from it) is a step of its
    # history that moves nothing; a closed appeal may still become a case.
    A.LEGAL: dict.fromkeys(OPEN | {S.CLOSED}),
}


class IllegalTransition(ValidationError):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(
            _("“%(action)s” is not possible: the appeal is now “%(status)s”.")
            % {
                "status": AppealStatus(status).label,
                "action": ActionKind(action).label,
            },
            code="illegal_transition",
        )
        self.action, self.status = action, status


def allowed(action: str, status: str) -> bool:
    return status in _TABLE[action]


def allowed_actions(status: str) -> list[str]:
    return [action for action, moves in _TABLE.items() if status in moves]


def next_status(action: str, status: str) -> str:
    """The status after `action`, or IllegalTransition."""
    moves = _TABLE[action]
    if status not in moves:
        raise IllegalTransition(action, status)
    target = moves[status]
    return status if target is None else target


def reopens(satisfaction: str) -> bool:
    """A dissatisfied worker reopens the appeal, under supervision."""
    return satisfaction == Satisfaction.DISSATISFIED
