"""Scope declarations of the member card routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

LISTS = {"members:cards_bulk"}
ACTIONS = {
    "members:card_issue": lambda c, org: {"pk": MemberFactory(org=org).pk},
    "members:card_lost": lambda c, org: {"pk": _card_at(org).pk},
    "members:card_reissue": lambda c, org: {"pk": _card_at(org).pk},
    "members:card_cancel": lambda c, org: {"pk": _card_at(org).pk},
}


def _card_at(org):
    """An active card of a new member of `org`."""
    from django.utils import timezone

    from gonghui.members.models import MemberCard
    from gonghui.members.services.cards import card_number_for

    member = MemberFactory(org=org)
    return MemberCard.objects.create(
        member=member,
        number=card_number_for(90_000_000 + member.pk),
        issued_on=timezone.localdate(),
    )
