"""Scope declarations of the transfer routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import MemberFactory

# transfer_org names a union by its code anywhere in the tree (name and code only), on purpose.
LISTS = {"members:transfers", "members:transfer_org"}
ACTIONS = {
    "members:transfer_request": lambda c, org: {"pk": MemberFactory(org=org).pk},
    "members:transfer_accept": lambda c, org: {"pk": _transfer_within(org).pk},
    "members:transfer_reject": lambda c, org: {"pk": _transfer_within(org).pk},
    "members:transfer_cancel": lambda c, org: {"pk": _transfer_within(org).pk},
}


def _transfer_within(org):
    """A pending transfer of a member of `org` to a new enterprise union below it."""
    from gonghui.accounts.services import user_create_or_update
    from gonghui.members.models import MemberTransfer
    from gonghui.orgs.models import OrgKind
    from gonghui.orgs.tests.factories import UnionOrgFactory

    requester = user_create_or_update(
        username=f"transferer_{org.code}", scope_org=org, role="officer", password="x-pass-1234567"
    )
    target = UnionOrgFactory(parent=org, kind=OrgKind.ENTERPRISE, name=f"{org.name}某公司工会")
    member = MemberFactory(org=org)
    return MemberTransfer.objects.create(
        member=member, from_org=org, to_org=target, requested_by=requester
    )
