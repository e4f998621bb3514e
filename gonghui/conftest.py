"""Shared fixtures: a small two-district city and staff users at several levels of it."""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.orgs.models import Employer, OrgKind, UnionOrg
from gonghui.orgs.tests.factories import EmployerFactory, UnionOrgFactory
from gonghui.testing import PASSWORD


def pytest_configure(config: pytest.Config) -> None:
    # Cheap password hashing, same algorithm and format (see the hasher). Through
    # override_settings, so the cached hashers are reset.
    override_settings(
        PASSWORD_HASHERS=["gonghui.testing.OneIterationPBKDF2PasswordHasher"]
    ).enable()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language, whatever an earlier test activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@dataclass
class City:
    city: UnionOrg
    district: UnionOrg  # 东城区
    street: UnionOrg  # a street of 东城区
    community: UnionOrg  # a community of that street
    sibling_street: UnionOrg  # another street of 东城区
    other_district: UnionOrg  # 西城区
    other_community: UnionOrg  # a community of 西城区
    employer: Employer  # in `community`, with an enterprise union
    sibling_employer: Employer  # in `sibling_street`
    other_employer: Employer  # in `other_community`
    # Names of out-of-scope rows other apps' fixtures add (members, appeals, ...).
    foreign_extra: list[str] = field(default_factory=list)

    def foreign_markers(self) -> list[str]:
        """Text of objects an officer of `street` must never see."""
        return [
            self.other_district.name, self.other_district.code, self.other_employer.name,
            self.other_employer.uscc, self.sibling_employer.name, self.sibling_employer.uscc,
            *self.foreign_extra,
        ]  # fmt: skip


@pytest.fixture
def city(db: None) -> City:
    root = UnionOrgFactory(
        kind=OrgKind.CITY, code="110000", name="北京市总工会", region_code="110000"
    )
    district = UnionOrgFactory(
        parent=root, kind=OrgKind.DISTRICT, code="110101", name="东城区总工会"
    )
    street = UnionOrgFactory(
        parent=district, kind=OrgKind.STREET, code="110101001", name="东华门街道总工会"
    )
    community = UnionOrgFactory(
        parent=street, kind=OrgKind.COMMUNITY, code="110101001001", name="多福巷社区联合工会"
    )
    union = UnionOrgFactory(
        parent=community,
        kind=OrgKind.ENTERPRISE,
        code="E00000001",
        name="北京甲乙科技有限公司工会委员会",
    )
    sibling = UnionOrgFactory(
        parent=district, kind=OrgKind.STREET, code="110101002", name="景山街道总工会"
    )
    other = UnionOrgFactory(
        parent=root, kind=OrgKind.DISTRICT, code="110102", name="西城区总工会", region_code="110102"
    )
    other_street = UnionOrgFactory(
        parent=other,
        kind=OrgKind.STREET,
        code="110102001",
        name="西长安街街道总工会",
        region_code="110102",
    )
    other_community = UnionOrgFactory(
        parent=other_street,
        kind=OrgKind.COMMUNITY,
        code="110102001001",
        name="府右街社区联合工会",
        region_code="110102",
    )
    return City(
        city=root,
        district=district,
        street=street,
        community=community,
        sibling_street=sibling,
        other_district=other,
        other_community=other_community,
        employer=EmployerFactory(
            name="北京甲乙科技有限公司", org=community, community=community, union=union
        ),
        sibling_employer=EmployerFactory(name="北京景山餐饮有限公司", org=sibling, employees=12),
        other_employer=EmployerFactory(
            name="北京西城建设有限公司",
            org=other_community,
            community=other_community,
            region_code="110102",
        ),
    )


def _user(username: str, org: UnionOrg, role: Role = Role.OFFICER) -> User:
    return user_create_or_update(username=username, scope_org=org, role=role, password=PASSWORD)


@pytest.fixture
def street_officer(city: City) -> User:
    return _user("street_officer", city.street)


@pytest.fixture
def district_officer(city: City) -> User:
    return _user("district_officer", city.district)


@pytest.fixture
def other_district_officer(city: City) -> User:
    return _user("other_district_officer", city.other_district)


@pytest.fixture
def city_admin(city: City) -> User:
    return _user("city_admin", city.city, Role.FEDERATION_ADMIN)


# The three administrators of separation of duties, each over 东城区 (city.district).
@pytest.fixture
def system_admin(city: City) -> User:
    return _user("system_admin", city.district, Role.SYSTEM_ADMIN)


@pytest.fixture
def security_admin(city: City) -> User:
    return _user("security_admin", city.district, Role.SECURITY_ADMIN)


@pytest.fixture
def auditor(city: City) -> User:
    return _user("auditor", city.district, Role.AUDITOR)


@pytest.fixture
def community_officer(city: City) -> User:
    return _user("community_officer", city.community)


@pytest.fixture
def sibling_street_officer(city: City) -> User:
    """An officer of 景山街道: a sibling of `street_officer`'s street in the same district."""
    return _user("sibling_street_officer", city.sibling_street)


# --- browser tests: Playwright driving Debian's Chromium (no `playwright install`) --------------

CHROMIUM = Path(os.environ.get("GONGHUI_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"
# Playwright's sync API runs an event loop in the test thread; Django's live server is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"GONGHUI_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
