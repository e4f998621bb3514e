"""`gonghui demo`: the synthetic Beijing federation, loaded through the import services."""

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role, User
from gonghui.core.management.commands.demo import load_demo, years_before
from gonghui.core.validators import normalize_uscc
from gonghui.members.models import Member
from gonghui.orgs.demo import DISTRICTS, STREETS, generate_demo
from gonghui.orgs.models import (
    ChairElection,
    Employer,
    EmployerChange,
    EmployerStatus,
    OrgKind,
    RatingAssessment,
    RegisterVerification,
    RemovalCandidate,
    SupervisionFollowUp,
    SupervisionItem,
    UnionOrg,
    UnionWorker,
)
from gonghui.places.models import ServicePoint

PASSWORD = "demo-password-2026"
EMPLOYERS = 150
DISTRICT_CODES = [
    "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111",
    "110112", "110113", "110114", "110115", "110116", "110117", "110118", "110119",
]  # fmt: skip


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command(
        "demo", "--no-serve", "--employers", str(EMPLOYERS), "--members", "60",
        "--appeals", "0", "--legal-cases", "0", "--subsidy-applications", "0", "--no-insights",
        "--password", PASSWORD, *args,
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


def flush() -> None:
    for model in (
        SupervisionFollowUp, SupervisionItem, UnionWorker, ChairElection, RatingAssessment,
        RemovalCandidate, EmployerChange, RegisterVerification,
    ):  # fmt: skip
        model.objects.all().delete()
    Member.objects.all().delete()
    User.objects.all().delete()
    Employer.objects.all().delete()
    ServicePoint.objects.all().delete()  # managed by unions (PROTECT)
    UnionOrg.objects.all().delete()


def fingerprint() -> tuple[list, list, list]:
    orgs = sorted(
        UnionOrg.objects.values_list(
            "code", "path", "name", "kind", "region_code", "established_on", "numchild"
        )
    )
    employers = sorted(
        Employer.objects.values_list(
            "uscc", "org__code", "name", "community__code", "union__code", "industry",
            "employees", "opened_on", "status", "uscc_check_failed",
        )
    )  # fmt: skip
    users = sorted(User.objects.values_list("username", "role", "scope_org__code"))
    return orgs, employers, users


@pytest.mark.django_db
def test_demo_creates_the_16_real_districts_under_the_city() -> None:
    run_demo()
    city = UnionOrg.objects.get(code="110000")
    districts = UnionOrg.objects.get_children(city).filter(kind=OrgKind.DISTRICT)
    assert city.kind == OrgKind.CITY
    assert city.depth == 1
    assert sorted(districts.values_list("code", flat=True)) == DISTRICT_CODES
    assert districts.get(code="110101").name == "东城区总工会"
    assert districts.get(code="110119").name == "延庆区总工会"


@pytest.mark.django_db
def test_demo_users_have_the_stated_scopes_and_roles() -> None:
    run_demo()
    users = {
        user.username: (user.role, user.scope_org.code, user.scope_org.name)
        for user in User.objects.select_related("scope_org")
    }
    assert users["city_admin"] == (Role.FEDERATION_ADMIN, "110000", "北京市总工会")
    assert users["district_officer"] == (Role.OFFICER, "110101", "东城区总工会")
    assert users["street_officer"] == (Role.OFFICER, "110101001", "东华门街道总工会")
    assert users["community_officer"][:2] == (Role.OFFICER, "110101001001")
    assert UnionOrg.objects.get(code="110101001001").kind == OrgKind.COMMUNITY
    assert users["system_admin"][:2] == (Role.SYSTEM_ADMIN, "110000")
    assert users["security_admin"][:2] == (Role.SECURITY_ADMIN, "110000")
    assert users["auditor"][:2] == (Role.AUDITOR, "110000")


@pytest.mark.django_db
def test_demo_users_can_log_in_with_the_given_password() -> None:
    run_demo()
    for username in (
        *("city_admin", "district_officer", "street_officer", "community_officer"),
        *("system_admin", "security_admin", "auditor"),
    ):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


@pytest.mark.django_db
def test_second_run_reports_nothing_created_or_updated() -> None:
    run_demo()
    data = generate_demo(seed=2026, employers=EMPLOYERS, today=timezone.localdate())
    load = load_demo(data, password=PASSWORD)
    assert (load.orgs.created, load.orgs.updated, load.orgs.rejected) == (0, 0, 0)
    assert load.orgs.unchanged == len(data.orgs)
    assert (load.employers.created, load.employers.updated, load.employers.rejected) == (0, 0, 0)
    assert load.employers.unchanged == EMPLOYERS


@pytest.mark.django_db
def test_second_run_leaves_the_data_identical() -> None:
    run_demo()
    first = fingerprint()
    employer_orgs = sorted(Employer.objects.values_list("uscc", "org_id"))
    users = sorted(User.objects.values_list("username", flat=True))
    run_demo()
    assert fingerprint() == first
    assert sorted(Employer.objects.values_list("uscc", "org_id")) == employer_orgs
    assert Employer.objects.count() == EMPLOYERS
    assert sorted(User.objects.values_list("username", flat=True)) == users


@pytest.mark.django_db
def test_same_seed_gives_the_same_data() -> None:
    run_demo("--seed", "7")
    first = fingerprint()
    flush()
    run_demo("--seed", "7")
    assert fingerprint() == first


@pytest.mark.django_db
def test_different_seed_gives_different_employers() -> None:
    run_demo("--seed", "7")
    first = set(Employer.objects.values_list("uscc", "name"))
    flush()
    run_demo("--seed", "8")
    second = set(Employer.objects.values_list("uscc", "name"))
    assert len(first) == len(second) == EMPLOYERS
    assert first != second


@pytest.mark.django_db
def test_every_uscc_is_valid_and_only_the_pilot_codes_fail_the_check() -> None:
    run_demo()
    pilots = {
        employer.uscc
        for employer in generate_demo(
            seed=2026, employers=EMPLOYERS, today=timezone.localdate()
        ).employers
        if employer.pilot
    }
    failing = set()
    for uscc, check_failed in Employer.objects.values_list("uscc", "uscc_check_failed"):
        result = normalize_uscc(uscc)
        assert result.code == uscc
        assert check_failed is not result.check_ok
        if not result.check_ok:
            failing.add(uscc)
    assert 2 <= len(pilots) <= 3
    assert failing == pilots


@pytest.mark.django_db
def test_some_established_employers_with_25_staff_have_no_union() -> None:
    run_demo()
    unorganised = Employer.objects.filter(
        status=EmployerStatus.OPERATING,
        union__isnull=True,
        employees__gte=25,
        opened_on__lte=years_before(timezone.localdate(), 5),
    )
    assert unorganised.exists()


@pytest.mark.django_db
def test_union_coverage_is_strictly_between_0_and_1() -> None:
    run_demo()
    operating = Employer.objects.filter(status=EmployerStatus.OPERATING)
    coverage = operating.filter(union__isnull=False).count() / operating.count()
    assert 0 < coverage < 1


@pytest.mark.django_db
def test_enterprise_unions_sit_under_a_community_and_after_their_employer_opened() -> None:
    run_demo()
    employers = Employer.objects.filter(union__kind=OrgKind.ENTERPRISE).select_related("union")
    assert employers.exists()
    for employer in employers:
        assert employer.union.name == f"{employer.name}工会委员会"
        assert UnionOrg.objects.get_parent(employer.union).pk == employer.community_id
        assert employer.union.established_on >= employer.opened_on


@pytest.mark.django_db
@pytest.mark.django_db
def test_demo_refuses_a_rejected_row_and_writes_nothing() -> None:
    data = generate_demo(seed=2026, employers=10, today=timezone.localdate())
    data.employers[5] = replace(data.employers[5], community_code="NO-SUCH-ORG")
    with pytest.raises(CommandError, match="NO-SUCH-ORG"):
        load_demo(data, password=PASSWORD)
    assert not UnionOrg.objects.exists()
    assert not Employer.objects.exists()


def test_dongcheng_gets_its_17_real_streets_in_order() -> None:
    data = generate_demo(seed=1, employers=0, today=timezone.localdate())
    streets = [
        (o.code, o.name) for o in data.orgs if o.kind == "street" and o.parent_code == "110101"
    ]
    assert streets == [
        (f"110101{n:03d}", f"{name}总工会") for n, name in enumerate(STREETS["110101"], start=1)
    ]
    assert streets[0] == ("110101001", "东华门街道总工会")
    assert len(streets) == 17


def test_every_district_has_8_to_17_streets_of_3_to_8_communities() -> None:
    data = generate_demo(seed=2026, employers=0, today=timezone.localdate())
    for code, _name, _urban in DISTRICTS:
        streets = [o.code for o in data.orgs if o.kind == "street" and o.parent_code == code]
        assert 8 <= len(streets) <= 17, code
        for street in streets:
            communities = [
                o for o in data.orgs if o.kind == "community" and o.parent_code == street
            ]
            assert 3 <= len(communities) <= 8, street


def test_more_employers_with_the_same_seed_keep_the_first_ones() -> None:
    today = timezone.localdate()
    small = generate_demo(seed=2026, employers=EMPLOYERS, today=today)
    large = generate_demo(seed=2026, employers=EMPLOYERS * 2, today=today)
    assert large.employers[:EMPLOYERS] == small.employers


def test_members_are_generated_with_cards_for_most(db) -> None:
    run_demo()
    members = Member.objects.count()
    with_card = Member.objects.filter(cards__status="active").distinct().count()
    assert members == 60
    assert members / 2 < with_card < members
