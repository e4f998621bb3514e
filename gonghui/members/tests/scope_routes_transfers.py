"""Scope declarations of the transfer routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

# transfer_org names a union by its code anywhere in the tree (name and code only), on purpose.
LISTS = {"members:transfers", "members:transfer_org"}
ACTIONS = {
    "members:transfer_request": lambda c: {"pk": MemberFactory(org=c.other_community).pk},
    "members:transfer_accept": lambda c: {"pk": _foreign_transfer(c).pk},
    "members:transfer_reject": lambda c: {"pk": _foreign_transfer(c).pk},
    "members:transfer_cancel": lambda c: {"pk": _foreign_transfer(c).pk},
}


def _foreign_transfer(city):
    """A pending transfer between two unions of the other district."""
    from gonghui.accounts.services import user_create_or_update
    from gonghui.members.models import MemberTransfer
    from gonghui.orgs.models import OrgKind
    from gonghui.orgs.tests.factories import UnionOrgFactory

    requester = user_create_or_update(
        username="other_transferer",
        scope_org=city.other_community,
        role="officer",
        password="x-pass-1234567",
    )
    target = UnionOrgFactory(
        parent=city.other_community, kind=OrgKind.ENTERPRISE, name="西城某公司工会"
    )
    member = MemberFactory(org=city.other_community)
    return MemberTransfer.objects.create(
        member=member, from_org=city.other_community, to_org=target, requested_by=requester
    )
