"""Schemathesis against /api/v1/openapi.json, as officers of two districts.

Every generated request (valid and invalid ones, for every operation) must get no 5xx and an
answer that matches the schema; the answer must hold nothing of the other district, and no full
resident ID number or mobile phone. Path parameters are drawn now and then from the real objects
of both districts, so "another district's object" is actually asked for: never with a 200.

`.ci/run` runs this module (`-m fuzz`) as its own step with GONGHUI_FUZZ_EXAMPLES=100; the normal
suite runs it with a few examples per operation.
"""

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from gonghui.accounts.services import api_token_create
from gonghui.api import api
from gonghui.appeals.models import Category, RoutingRule
from gonghui.appeals.seed import seed
from gonghui.appeals.services.intake import appeal_intake
from gonghui.core.validators import InvalidValue, normalize_id_number
from gonghui.members.models import MemberCard
from gonghui.members.services.cards import card_number_for
from gonghui.members.services.joining import join_application_submit
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.orgs.tests.factories import EmployerFactory
from gonghui.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("GONGHUI_FUZZ_EXAMPLES", "10"))
# A resident ID number (checked below: checksum and birth date) and a mainland mobile number,
# not inside a longer run of digits.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@dataclass
class District:
    """What one district's officer may reach, and the other district's markers they may not."""

    token: str
    own: dict[str, list[Any]] = field(default_factory=dict)  # path parameter → own values
    foreign: dict[str, list[Any]] = field(default_factory=dict)  # → the other district's
    foreign_text: list[str] = field(default_factory=list)
    foreign_member_ids: set[int] = field(default_factory=set)


def _seed(org: Any, region: str, seq: int) -> dict[str, Any]:
    """Members with cards, a pending join application and appeals in community `org`."""
    employer = EmployerFactory(org=org, community=org, region_code=region)
    members = [MemberFactory(org=org, employer=employer) for _ in range(3)]
    for member in members[:2]:
        MemberCard.objects.create(
            member=member, number=card_number_for(seq + member.pk), issued_on=member.birth_date
        )
    join_application_submit(
        name=f"申请人{seq}",
        id_number=make_id_number(seq, region=region),
        phone=make_phone(seq),
        employer=employer,
    )
    appeals = [
        appeal_intake(
            channel="hotline",
            nature="request",
            category_code=category,
            content=f"诉求内容{seq}-{n}",
            name=f"诉求人{seq}{n}",
            phone=make_phone(seq + 100 + n),
            employer_uscc=employer.uscc,
            org_code=org.code,
            intake_org=org,
        )
        for n, category in enumerate(("hardship", "wage_arrears"))
    ]
    return {"employer": employer, "members": members, "appeals": appeals}


@pytest.fixture
def seeded(city) -> dict[str, dict[str, Any]]:
    seed(Category, RoutingRule)  # a transactional test: an earlier flush removed them
    return {
        "east": _seed(city.community, "110101", 7001),
        "west": _seed(city.other_community, "110102", 8001),
    }


def _district(user: Any, mine: dict[str, Any], theirs: dict[str, Any], orgs, employers) -> District:
    return District(
        token=api_token_create(user=user),
        own={
            "code": [user.scope_org.code],
            "uscc": [mine["employer"].uscc],
            "member_id": [m.pk for m in mine["members"]],
            "tracking_code": [a.tracking_code for a in mine["appeals"]],
        },
        foreign={
            "code": [org.code for org in orgs],
            "uscc": [e.uscc for e in employers],
            "member_id": [m.pk for m in theirs["members"]],
            "tracking_code": [a.tracking_code for a in theirs["appeals"]],
        },
        foreign_text=[
            *(org.code for org in orgs),
            *(org.name for org in orgs),
            *(e.uscc for e in employers),
            *(e.name for e in employers),
            *(m.name for m in theirs["members"]),
            *(a.tracking_code for a in theirs["appeals"]),
            *(a.name for a in theirs["appeals"]),
        ],
        foreign_member_ids={m.pk for m in theirs["members"]},
    )


@pytest.fixture
def east(city, seeded, district_officer) -> District:
    """东城区's officer; 西城区 is foreign."""
    employers = [seeded["west"]["employer"], city.other_employer]
    orgs = [city.other_district, city.other_community]
    return _district(district_officer, seeded["east"], seeded["west"], orgs, employers)


@pytest.fixture
def west(city, seeded, other_district_officer) -> District:
    """西城区's officer; 东城区 is foreign."""
    employers = [seeded["east"]["employer"], city.employer, city.sibling_employer]
    orgs = [city.district, city.street, city.community, city.sibling_street]
    return _district(other_district_officer, seeded["west"], seeded["east"], orgs, employers)


# What /api/v1/openapi.json serves, read without a request (collection has no database); the
# generated requests go to the WSGI application in-process.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = application
schema.location = "/api/v1/openapi.json"


def _full_personal_data(text: str, sent: str) -> list[str]:
    """Full ID numbers and phones in `text`, except those the request itself carried."""
    found = []
    for candidate in ID_NUMBER_RE.findall(text):
        try:
            normalize_id_number(candidate)
        except InvalidValue:
            continue
        found.append(candidate)
    found += MOBILE_RE.findall(text)
    return [value for value in found if value not in sent]


def _strings_and_ids(value: Any) -> tuple[set[str], set[int]]:
    """Every string value in a JSON document, and every integer under an "id" key."""
    strings: set[str] = set()
    ids: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.add(item)
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, dict):
            if isinstance(item.get("id"), int):
                ids.add(item["id"])
            stack += item.values()
    return strings, ids


# Invalid requests still must not fail (no 5xx, answers in the schema), but one that is served
# is no error here: the API ignores unknown query parameters, as HTTP APIs do, and the test
# itself supplies the token schemathesis's "missing Authorization" cases leave out. Likewise a
# schema-valid request may be refused with 422 naming the field: the checks the schema cannot
# express (check digits, an interest dispute given a rights subtype, a blank summary) are the
# services' and their refusals are documented answers.
LENIENT = [negative_data_rejection, positive_data_acceptance]
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
# Now and then (not None) a real object for each path parameter: (the other district's?, which).
PICK = st.one_of(st.none(), st.tuples(st.booleans(), st.integers(0, 10)))


@schema.parametrize()
@schema.given(pick=PICK)
@FUZZ
def test_api_as_an_officer_of_dongcheng(case, pick, east):
    _exercise(case, pick, east)


@schema.parametrize()
@schema.given(pick=PICK)
@FUZZ
def test_api_as_an_officer_of_xicheng(case, pick, west):
    _exercise(case, pick, west)


def _exercise(case: Any, pick: tuple[bool, int] | None, district: District) -> None:
    # Now and then ask for a real object: one's own, or the other district's (never a 200).
    asked_foreign = False
    if pick is not None and case.path_parameters:
        foreign, index = pick
        pool = district.foreign if foreign else district.own
        for name in case.path_parameters:
            if pool.get(name):
                case.path_parameters[name] = pool[name][index % len(pool[name])]
                asked_foreign = asked_foreign or foreign

    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {district.token}"}, excluded_checks=LENIENT
    )

    text = response.content.decode("utf-8", errors="replace")
    sent = json.dumps(
        [case.path_parameters, case.query, case.body], ensure_ascii=False, default=str
    )
    if asked_foreign:
        assert response.status_code != 200, "another district's object was answered"
    if response.status_code == 200:
        strings, ids = _strings_and_ids(json.loads(text))
        assert not strings & set(district.foreign_text), "another district's data"
        if case.path.startswith("/api/v1/members"):
            assert not ids & district.foreign_member_ids, "another district's member"
    assert _full_personal_data(text, sent) == [], "full ID number or phone in a response"
