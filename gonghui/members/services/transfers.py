"""Member transfers (会员关系转接): moving a member to another union, kept as history.

A transfer inside the requesting user's scope completes at once. A transfer to a union outside
it waits for the receiving side (a user whose scope contains the target union), who accepts or
rejects it with a reason; the requester's side may cancel it while it waits. A member has at
most one pending transfer. Transfers are never deleted.

Every write locks the member row first, then the transfer (the order card services use too).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope, scoped
from gonghui.members.importing import MEMBER_ORG_KINDS
from gonghui.members.models import Member, MemberStatus, MemberTransfer, TransferStatus
from gonghui.orgs.models import OrgStatus, UnionOrg

REASON_MIN_LENGTH = 2
REASON_MAX_LENGTH = 500


def transfer_target(*, code: str) -> UnionOrg | None:
    """The union a member may be transferred to, by its code, anywhere in the tree.

    Deliberately unscoped (the target is usually outside the requester's subtree): callers
    show only its name and code.
    """
    code = code.strip()
    if not code:
        return None
    org: UnionOrg | None = UnionOrg.objects.filter(
        code=code, kind__in=MEMBER_ORG_KINDS, status=OrgStatus.ACTIVE
    ).first()
    return org


def _require_manager(user: Any) -> None:
    require(user, Capability.MANAGE_MEMBERS, _("Your role may not transfer members."))


def _reason(raw: str, *, message: str) -> str:
    reason = " ".join(raw.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("The reason is too long (at most 500 characters).")]})
    return reason


def _lock_member(pk: int) -> Member:
    return Member.objects.select_for_update().get(pk=pk)


def _lock_transfer(transfers: QuerySet[MemberTransfer], pk: int) -> MemberTransfer:
    """Lock the member, then the transfer, both re-read; PermissionDenied if not in `transfers`."""
    found = transfers.filter(pk=pk).values_list("member_id", flat=True).first()
    if found is None:
        raise PermissionDenied(_("This transfer is outside your organisation's scope."))
    _lock_member(found)
    locked = MemberTransfer.objects.select_for_update().select_related("member").get(pk=pk)
    if locked.status != TransferStatus.PENDING:
        raise ValidationError(
            _("This transfer is no longer pending (%(status)s)."),
            code="not_pending",
            params={"status": str(TransferStatus(locked.status).label)},
        )
    return locked


def _complete(transfer: MemberTransfer, *, user: Any) -> None:
    member = transfer.member
    member.org = transfer.to_org
    member.save(update_fields=["org", "updated_at"])
    transfer.status = TransferStatus.COMPLETED
    transfer.decided_by = user
    transfer.decided_at = timezone.now()


@transaction.atomic
def transfer_request(*, user: Any, member: Member, to_org: UnionOrg, reason: str) -> MemberTransfer:
    """Move `member` to `to_org`: at once inside the user's scope, else pending the receiver."""
    _require_manager(user)
    reason = _reason(reason, message=_("Give the reason for the transfer."))
    locked = (
        scoped(Member.objects.select_for_update(of=("self",)), user=user)
        .filter(pk=member.pk)
        .select_related("org")
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This member is outside your organisation's scope."))
    if locked.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("Only an active member can be transferred; this member is “%(status)s”."),
            code="member_not_active",
            params={"status": str(MemberStatus(locked.status).label)},
        )
    if to_org.kind not in MEMBER_ORG_KINDS or to_org.status != OrgStatus.ACTIVE:
        raise ValidationError(
            _("%(name)s cannot take members: choose a grassroots, community or joint union."),
            code="not_a_member_org",
            params={"name": to_org.name},
        )
    if to_org.pk == locked.org_id:
        raise ValidationError(
            _("The member already belongs to %(name)s."),
            code="same_org",
            params={"name": to_org.name},
        )
    if MemberTransfer.objects.filter(member=locked, status=TransferStatus.PENDING).exists():
        raise ValidationError(
            _(
                "A transfer of this member is already waiting for the receiving union; "
                "cancel it before requesting another."
            ),
            code="already_pending",
        )
    transfer = MemberTransfer(
        member=locked,
        from_org=locked.org,
        to_org=to_org,
        reason=reason,
        requested_by=user,
    )
    if org_in_scope(to_org, user=user):
        _complete(transfer, user=user)
    try:
        with transaction.atomic():  # savepoint: the one-pending constraint under a race
            transfer.save()
    except IntegrityError:
        raise ValidationError(
            _("A transfer of this member is already waiting for the receiving union."),
            code="already_pending",
        ) from None
    member.refresh_from_db()
    return transfer


def _receiving(user: Any) -> QuerySet[MemberTransfer]:
    return scoped(MemberTransfer.objects.all(), user=user, via="to_org__path")


def _sending(user: Any) -> QuerySet[MemberTransfer]:
    return scoped(MemberTransfer.objects.all(), user=user, via="from_org__path")


@transaction.atomic
def transfer_accept(*, user: Any, transfer: MemberTransfer) -> MemberTransfer:
    """The receiving side takes the member in."""
    _require_manager(user)
    locked = _lock_transfer(_receiving(user), transfer.pk)
    if locked.member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("The member is no longer active (%(status)s); reject the transfer instead."),
            code="member_not_active",
            params={"status": str(MemberStatus(locked.member.status).label)},
        )
    _complete(locked, user=user)
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    transfer.refresh_from_db()
    return locked


@transaction.atomic
def transfer_reject(*, user: Any, transfer: MemberTransfer, reason: str) -> MemberTransfer:
    """The receiving side refuses; the member stays where it was."""
    _require_manager(user)
    note = _reason(reason, message=_("Give the reason for rejecting the transfer."))
    locked = _lock_transfer(_receiving(user), transfer.pk)
    locked.status = TransferStatus.REJECTED
    locked.decision_note = note
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    transfer.refresh_from_db()
    return locked


@transaction.atomic
def transfer_cancel(*, user: Any, transfer: MemberTransfer) -> MemberTransfer:
    """The sending side withdraws a transfer that still waits for the receiver."""
    _require_manager(user)
    locked = _lock_transfer(_sending(user), transfer.pk)
    locked.status = TransferStatus.CANCELLED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    transfer.refresh_from_db()
    return locked
