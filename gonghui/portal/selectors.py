"""What the signed-in worker sees of their own: card, bookings, appeals, join application."""

from django.db.models import Q, QuerySet

from gonghui.appeals.models import Appeal
from gonghui.members.models import CardStatus, JoinApplication, Member, MemberCard


def member_card(member: Member) -> MemberCard | None:
    """The card in use (active or reported lost), else the latest one."""
    cards = MemberCard.objects.filter(member=member).order_by("-issued_on", "-pk")
    return cards.filter(status__in=[CardStatus.ACTIVE, CardStatus.LOST]).first() or cards.first()


def mask_card_number(number: str) -> str:
    """`6200 0000 0000 1234` style: only the last four digits."""
    return "•••• " + number[-4:] if len(number) > 4 else number


def member_appeals(member: Member) -> QuerySet[Appeal]:
    """Appeals matched to the member, or filed from the member's phone."""
    match = Q(member=member)
    if member.phone_index:
        match |= Q(phone_index=member.phone_index)
    return Appeal.objects.filter(match).order_by("-pk")


def member_join_application(member: Member) -> JoinApplication | None:
    """The member's latest online application to join, if they applied on the portal."""
    return (
        JoinApplication.objects.filter(Q(member=member) | Q(id_number_index=member.id_number_index))
        .order_by("-submitted_at", "-pk")
        .first()
    )
