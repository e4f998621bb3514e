"""A small city with members, cards, employers, unions and appeals placed across the tree."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.appeals.tests.helpers import at, file_appeal
from gonghui.insights.services import rollups_refresh
from gonghui.members.models import CardStatus, Member, MemberCard, MemberStatus
from gonghui.members.tests.factories import MemberFactory
from gonghui.orgs.models import OrgKind, UnionOrg
from gonghui.orgs.tests.factories import EmployerFactory, UnionOrgFactory


def _union(parent: UnionOrg, code: str, name: str, established: date | None) -> UnionOrg:
    return UnionOrgFactory(
        parent=parent, kind=OrgKind.ENTERPRISE, code=code, name=name, established_on=established
    )


@pytest.fixture
def figures(city):
    """Rows in 东城区 (community, sibling street) and 西城区, over several years, then one
    refresh. Returns the city with `this_year`."""
    this_year = timezone.localdate().year
    city.this_year = this_year
    # Unions: the employer's union (no date), one established this year in the sibling street,
    # one six years ago in 西城区.
    sibling_union = _union(city.sibling_street, "E00000002", "景山餐饮工会", date(this_year, 1, 15))
    other_union = _union(
        city.other_community, "E00000003", "西城建设工会", date(this_year - 6, 3, 1)
    )
    city.sibling_employer.union = sibling_union
    city.sibling_employer.save()
    city.other_employer.union = other_union
    city.other_employer.opened_on = date(this_year - 7, 1, 1)
    city.other_employer.save()
    EmployerFactory(name="东城无工会商店", org=city.community, community=city.community)
    # Members: joined over the years, some lapsed.
    spread = [
        (city.community, date(this_year - 6, 6, 1), True),
        (city.community, date(this_year - 1, 2, 1), True),
        (city.community, date(this_year, 1, 10), True),
        (city.community, date(this_year, 1, 11), False),
        (city.sibling_street, date(this_year, 1, 3), True),
        (city.other_community, date(this_year - 6, 1, 1), True),
        (city.other_community, date(this_year - 2, 7, 1), True),
        (city.other_community, None, True),
    ]
    for org, joined, active in spread:
        member = MemberFactory(org=org, joined_on=joined)
        if not active:
            Member.objects.filter(pk=member.pk).update(status=MemberStatus.LAPSED)
    for n, member in enumerate(Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk")):
        MemberCard.objects.create(
            member=member,
            number=f"8110{n:011d}",
            issued_on=date(this_year, 1, 20),
            status=CardStatus.ACTIVE if n % 3 else CardStatus.CANCELLED,
        )
    # Appeals: received this January, some closed and rated.
    received = at(f"{this_year}-01-05 10:00")
    for org, status in [
        (city.community, AppealStatus.CLOSED),
        (city.community, AppealStatus.IN_PROGRESS),
        (city.other_community, AppealStatus.CLOSED),
    ]:
        appeal = file_appeal(city.city, org_code=org.code, received_at=received)
        closed = status == AppealStatus.CLOSED
        Appeal.objects.filter(pk=appeal.pk).update(
            org=org,
            status=status,
            satisfaction="satisfied" if closed else "",
            replied_at=received + timedelta(days=2) if closed else None,
        )
    rollups_refresh()
    return city
