"""Scope declarations of the member card routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

LISTS = {"members:cards_bulk"}
ACTIONS = {
    "members:card_issue": lambda c: {"pk": MemberFactory(org=c.other_community).pk},
    "members:card_lost": lambda c: {"pk": _foreign_card(c).pk},
    "members:card_reissue": lambda c: {"pk": _foreign_card(c).pk},
    "members:card_cancel": lambda c: {"pk": _foreign_card(c).pk},
}


def _foreign_card(city):
    from django.utils import timezone

    from gonghui.members.models import MemberCard
    from gonghui.members.services.cards import card_number_for

    member = MemberFactory(org=city.other_community)
    return MemberCard.objects.create(
        member=member,
        number=card_number_for(90_000_000 + member.pk),
        issued_on=timezone.localdate(),
    )
