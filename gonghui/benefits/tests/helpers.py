"""Builders of benefits test data (used by the tests and the scope declarations)."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.benefits.models import Event, SubsidyProgramme
from gonghui.benefits.services.events import event_save
from gonghui.benefits.services.subsidies import occupations_seed, programme_save, subsidy_apply
from gonghui.members.models import Member
from gonghui.members.tests.factories import MemberFactory
from gonghui.orgs.models import UnionOrg
from gonghui.portal.auth import SESSION_KEY

_certificates = count(1)
WELDER = "6-18-02-04"
ELECTRICIAN = "6-31-01-03"


def programme_at(
    org: UnionOrg, *, code: str = "ZYFZ", budget: str = "1000000", **extra: Any
) -> SubsidyProgramme:
    """职业发展助推计划 as the issue configures it: level 1 → 2000, level 2 → 1000."""
    occupations_seed()
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "name": "职业发展助推计划",
        "starts_on": today - timedelta(days=90),
        "ends_on": today + timedelta(days=275),
        "budget": Decimal(budget),
        "levels": {1: Decimal(2000), 2: Decimal(1000)},
        "min_member_months": 6,
        "occupation_codes": [WELDER, ELECTRICIAN, "4-03-02-01"],
    }
    defaults.update(extra)
    return programme_save(org=org, code=code, **defaults)


def member_at(org: UnionOrg, **kwargs: Any) -> Member:
    kwargs.setdefault("joined_on", date(2020, 5, 1))
    return MemberFactory(org=org, **kwargs)


def certificate() -> str:
    return f"CERT{next(_certificates):010d}"


def application_at(
    org: UnionOrg, *, programme: SubsidyProgramme | None = None, level: int = 1, **kwargs: Any
):
    programme = (
        programme or SubsidyProgramme.objects.filter(code="ZYFZ").first() or programme_at(org)
    )
    return subsidy_apply(
        programme=programme,
        member=kwargs.pop("member", None) or member_at(org),
        certificate_no=kwargs.pop("certificate_no", None) or certificate(),
        level=level,
        occupation_code=kwargs.pop("occupation_code", WELDER),
        issued_on=kwargs.pop("issued_on", timezone.localdate() - timedelta(days=30)),
        **kwargs,
    )


def event_at(org: UnionOrg, *, capacity: int = 10, **kwargs: Any) -> Event:
    return event_save(
        org=org,
        title=kwargs.pop("title", "职工健康讲座"),
        kind=kwargs.pop("kind", "lecture"),
        starts_at=kwargs.pop("starts_at", timezone.now() + timedelta(days=7)),
        place=kwargs.pop("place", "职工之家二楼"),
        capacity=capacity,
        **kwargs,
    )


def portal_client(member: Member) -> Client:
    """A client signed in to the portal as `member` (the portal's session key)."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = member.pk
    session.save()
    return client
