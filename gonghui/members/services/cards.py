"""Member cards (京卡·互助服务卡): numbers, issuing (one by one and in bulk) and the card's life.

A card number has 16 digits: the issuer prefix (`settings.CARD_NUMBER_PREFIX`, 4 digits), an
11-digit sequence and a Luhn check digit. The sequence is a `core.Counter` row raised inside the
issuing transaction: its row lock makes concurrent issuers wait for each other, so a number is
never handed out twice, and a rolled-back issue gives its numbers back.

Life of a card: active → lost → replaced (by a reissued card) or cancelled; an active card may
also be reissued or cancelled directly. A member has at most one card in use (active or lost).
Every write locks the member row first, then the card, then the counter (always in this order).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.counters import counter_raise
from gonghui.core.scoping import scoped
from gonghui.members.models import CardStatus, Member, MemberCard, MemberStatus
from gonghui.orgs.models import UnionOrg

CARD_COUNTER = "member_card_number"
SEQUENCE_DIGITS = 11
SEQUENCE_MAX = 10**SEQUENCE_DIGITS - 1
CARD_NUMBER_LENGTH = 4 + SEQUENCE_DIGITS + 1
BULK_BATCH = 5_000
IN_USE = (CardStatus.ACTIVE, CardStatus.LOST)
_DIGITS = frozenset("0123456789")


# --- numbers -----------------------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The Luhn (ISO/IEC 7812-1) check digit to append to the digits of `body`."""
    if not body or not set(body) <= _DIGITS:
        raise ValueError(f"a Luhn body is one or more ASCII digits, not {body!r}")
    total = 0
    # The check digit will be rightmost, so the body's rightmost digit is doubled.
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def card_number_valid(number: object) -> bool:
    """True for 16 ASCII digits whose last one is the Luhn check digit of the others."""
    if not isinstance(number, str) or len(number) != CARD_NUMBER_LENGTH:
        return False
    if not set(number) <= _DIGITS:
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def card_number_prefix() -> str:
    prefix = getattr(settings, "CARD_NUMBER_PREFIX", "8110")
    if not isinstance(prefix, str) or len(prefix) != 4 or not set(prefix) <= _DIGITS:
        raise ImproperlyConfigured(f"CARD_NUMBER_PREFIX={prefix!r} is not 4 digits")
    return prefix


def card_number_for(sequence: int, *, prefix: str | None = None) -> str:
    """The card number of one sequence value (1 … 99 999 999 999)."""
    if not 1 <= sequence <= SEQUENCE_MAX:
        raise ValueError(f"card sequence {sequence} is outside 1…{SEQUENCE_MAX}")
    body = f"{prefix or card_number_prefix()}{sequence:0{SEQUENCE_DIGITS}d}"
    return body + luhn_check_digit(body)


def card_numbers_reserve(*, count: int) -> list[str]:
    """Reserve `count` consecutive card numbers. Call inside the transaction that uses them.

    The counter row stays locked until that transaction ends: concurrent issuers queue on it
    (and a rollback returns the numbers), so no two transactions ever get the same block.
    """
    if count < 1:
        return []
    last = counter_raise(CARD_COUNTER, count)
    if last > SEQUENCE_MAX:
        raise ValidationError(
            _("The card number sequence is exhausted; configure a new issuer prefix."),
            code="sequence_exhausted",
        )
    prefix = card_number_prefix()
    return [card_number_for(seq, prefix=prefix) for seq in range(last - count + 1, last + 1)]


# --- checks --------------------------------------------------------------------------------------


def _require_manager(user: Any) -> None:
    require(user, Capability.MANAGE_MEMBERS, _("Your role may not manage member cards."))


def _lock_member(*, user: Any, pk: int) -> Member:
    """Re-read and lock a member inside the user's scope (PermissionDenied outside it)."""
    locked = scoped(Member.objects.select_for_update(of=("self",)), user=user).filter(pk=pk).first()
    if locked is None:
        raise PermissionDenied(_("This member is outside your organisation's scope."))
    return locked


def _lock_card(*, user: Any, card: MemberCard) -> tuple[MemberCard, Member]:
    member = _lock_member(user=user, pk=card.member_id)
    locked = MemberCard.objects.select_for_update().get(pk=card.pk)
    return locked, member


def _status_label(status: str) -> str:
    return str(CardStatus(status).label)


def _refuse(card: MemberCard, message: str) -> ValidationError:
    return ValidationError(
        message,
        code="illegal_transition",
        params={"number": card.number, "status": _status_label(card.status)},
    )


def _require_active_member(member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("Only an active member can get a card; this member is “%(status)s”."),
            code="member_not_active",
            params={"status": str(MemberStatus(member.status).label)},
        )


def _card_in_use(member: Member) -> MemberCard | None:
    return MemberCard.objects.filter(member=member, status__in=IN_USE).first()


# --- services ------------------------------------------------------------------------------------


@transaction.atomic
def card_issue(*, user: Any, member: Member) -> MemberCard:
    """Issue a first (or next, after a cancellation) card to an active member."""
    _require_manager(user)
    member = _lock_member(user=user, pk=member.pk)
    _require_active_member(member)
    current = _card_in_use(member)
    if current is not None:
        raise ValidationError(
            _("This member already has a card in use: %(number)s (%(status)s)."),
            code="card_in_use",
            params={"number": current.number, "status": _status_label(current.status)},
        )
    (number,) = card_numbers_reserve(count=1)
    return MemberCard.objects.create(member=member, number=number, issued_on=timezone.localdate())


def card_bulk_issue(*, user: Any, org: UnionOrg, joined_before: date | None = None) -> int:
    """Issue a card to every active member without a card in use in `org`'s subtree
    (only to those who joined before `joined_before`, when given: a production batch).

    Set-based, in batches of 5 000 members: lock the batch, reserve a block of numbers,
    `bulk_create`. Each batch commits on its own (a long run never holds the number sequence
    for long, and an interrupted run continues where it stopped). Returns how many cards were
    issued; running it again issues none.
    """
    _require_manager(user)
    if not scoped(UnionOrg.objects.filter(pk=org.pk), user=user).exists():
        raise PermissionDenied(_("This union is outside your organisation's scope."))
    in_use = MemberCard.objects.filter(member=OuterRef("pk"), status__in=IN_USE)
    candidates = (
        Member.objects.filter(org__path__startswith=org.path, status=MemberStatus.ACTIVE)
        .exclude(Exists(in_use))
        .order_by("pk")
    )
    if joined_before is not None:
        candidates = candidates.filter(joined_on__lt=joined_before)
    # Walk the registry in ranges of member ids, not "the next 5 000 candidates": over millions
    # of members in the subtree the planner would sort every candidate of the subtree for each
    # batch; a range of ids is one short scan of the primary key, whatever the statistics say.
    issued = 0
    ids_from = Member.objects.order_by("pk").values_list("pk", flat=True)
    start = ids_from.first()
    while start is not None:
        end = start + BULK_BATCH
        with transaction.atomic():
            ids = list(
                candidates.filter(pk__gte=start, pk__lt=end)
                .select_for_update(of=("self",))
                .values_list("pk", flat=True)
            )
            if ids:
                issued += _issue_to(ids)
        start = ids_from.filter(pk__gte=end).first()  # skips any gap in the ids
    return issued


def _issue_to(member_ids: Iterable[int]) -> int:
    """Cards for the (locked) members, skipping any that got a card since they were selected."""
    ids = list(member_ids)
    taken = set(
        MemberCard.objects.filter(member_id__in=ids, status__in=IN_USE).values_list(
            "member_id", flat=True
        )
    )
    ids = [pk for pk in ids if pk not in taken]
    numbers = card_numbers_reserve(count=len(ids))
    today = timezone.localdate()
    MemberCard.objects.bulk_create(
        [
            MemberCard(member_id=pk, number=number, issued_on=today)
            for pk, number in zip(ids, numbers, strict=True)
        ],
        batch_size=1_000,
    )
    return len(ids)


@transaction.atomic
def card_report_lost(*, user: Any, card: MemberCard) -> MemberCard:
    """An active card is reported lost; it stays in use (blocking a new issue) until reissued."""
    _require_manager(user)
    card, _member = _lock_card(user=user, card=card)
    if card.status != CardStatus.ACTIVE:
        raise _refuse(
            card,
            _("Card %(number)s is “%(status)s”; only an active card can be reported lost."),
        )
    card.status = CardStatus.LOST
    card.save(update_fields=["status", "status_changed_at"])
    return card


@transaction.atomic
def card_reissue(*, user: Any, card: MemberCard) -> MemberCard:
    """Replace an active or lost card by a new card with a new number (`replaces` the old)."""
    _require_manager(user)
    card, member = _lock_card(user=user, card=card)
    if card.status not in IN_USE:
        raise _refuse(
            card,
            _("Card %(number)s is “%(status)s”; only an active or lost card can be reissued."),
        )
    _require_active_member(member)
    # The old card leaves "in use" before the new one enters (one_card_in_use_per_member).
    card.status = CardStatus.REPLACED
    card.save(update_fields=["status", "status_changed_at"])
    (number,) = card_numbers_reserve(count=1)
    return MemberCard.objects.create(
        member=member, number=number, issued_on=timezone.localdate(), replaces=card
    )


@transaction.atomic
def card_cancel(*, user: Any, card: MemberCard, reason: str) -> MemberCard:
    """Cancel an active or lost card for good (the member may then be issued a new one)."""
    _require_manager(user)
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError(_("Give the reason for cancelling this card."), code="reason")
    card, _member = _lock_card(user=user, card=card)
    if card.status not in IN_USE:
        raise _refuse(
            card,
            _("Card %(number)s is “%(status)s”; only an active or lost card can be cancelled."),
        )
    card.status = CardStatus.CANCELLED
    card.status_note = reason[:500]
    card.save(update_fields=["status", "status_note", "status_changed_at"])
    return card
