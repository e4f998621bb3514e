from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, UnionWorker, WorkerKind
from gonghui.orgs.selectors import norm_allowed
from gonghui.orgs.services.staffing import unionworker_save
from gonghui.orgs.tests.factories import UnionOrgFactory, make_uscc
from gonghui.testing import api_client, logged_in


def _enterprises(community, n: int, start: int = 10_000) -> None:
    """`n` operating employers linked to `community` (the city fixture already has one)."""
    Employer.objects.bulk_create(
        Employer(
            name=f"北京社区企业{i}有限公司", uscc=make_uscc(start + i), org=community,
            community=community, employees=10, status=EmployerStatus.OPERATING,
        )
        for i in range(n)
    )  # fmt: skip


def _officer(community, **kwargs) -> UnionWorker:
    values = {"org": community, "name": "王干事", "kind": WorkerKind.COMMUNITY_OFFICER}
    return UnionWorker.objects.create(**{**values, **kwargs})


def test_100_enterprises_allow_one_officer(city, district_officer):
    _enterprises(city.community, 99)  # + the fixture's employer = 100
    body = api_client(district_officer).get(f"/api/v1/orgs/{city.community.code}/staffing").json()
    assert body["enterprises"] == 100
    assert (body["required"], body["allowed"], body["actual"]) == (1, 1, 0)
    assert body["compliant"] is False


def test_101_enterprises_allow_two_officers(city, district_officer):
    _enterprises(city.community, 100)
    _officer(city.community)
    _officer(city.community, name="李干事", kind=WorkerKind.SOCIAL_CADRE)
    body = api_client(district_officer).get(f"/api/v1/orgs/{city.community.code}/staffing").json()
    assert body["enterprises"] == 101
    assert (body["required"], body["allowed"], body["actual"], body["compliant"]) == (1, 2, 2, True)


@pytest.mark.parametrize(("enterprises", "allowed"), [(0, 1), (100, 1), (101, 2), (5000, 2)])
def test_the_norm_boundary(enterprises, allowed):
    assert norm_allowed(enterprises, 100) == allowed


def test_instructors_part_timers_and_leavers_do_not_count(city, district_officer):
    _officer(city.community, kind=WorkerKind.INSTRUCTOR)
    _officer(city.community, full_time=False)
    _officer(city.community, status="left")
    body = api_client(district_officer).get(f"/api/v1/orgs/{city.community.code}/staffing").json()
    assert body["actual"] == 0


def test_two_officers_in_a_small_community_are_over_the_norm(city, district_officer):
    _officer(city.community)
    _officer(city.community, name="赵干事")
    body = api_client(district_officer).get(f"/api/v1/orgs/{city.community.code}/staffing").json()
    assert (body["allowed"], body["actual"], body["compliant"]) == (1, 2, False)


def test_a_federation_sums_its_communities(city, district_officer):
    second = UnionOrgFactory(parent=city.street, kind=OrgKind.COMMUNITY, code="110101001002")
    _officer(second)
    body = api_client(district_officer).get(f"/api/v1/orgs/{city.district.code}/staffing").json()
    assert body == {
        "required": 2, "allowed": 2, "actual": 1, "compliant": False,
        "enterprises": None, "communities": 2,
    }  # fmt: skip


def test_staffing_of_another_district_answers_404(city, district_officer):
    response = api_client(district_officer).get(
        f"/api/v1/orgs/{city.other_community.code}/staffing"
    )
    assert response.status_code == 404


def test_the_compliance_report_exports_the_subtree(city, district_officer, tmp_path):
    _officer(city.community)
    response = logged_in(district_officer).get("/orgs/staffing.xlsx?org=110101")
    path = tmp_path / "staffing.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[1:]] == [city.community.code]
    assert city.other_community.name not in str(rows)


def test_the_staffing_page_adds_a_worker(city, street_officer):
    data = {
        "org": city.community.code, "name": "孙干事", "kind": "community_officer",
        "post": "专职社区工会干事", "full_time": "on", "status": "active", "funding_share": "80",
    }  # fmt: skip
    response = logged_in(street_officer).post("/orgs/staffing/", data)
    assert response.status_code == 302
    worker = UnionWorker.objects.get()
    assert (worker.org, worker.funding_share) == (city.community, Decimal("80.00"))


def test_a_worker_cannot_be_placed_outside_the_scope(city, street_officer):
    with pytest.raises(ValidationError):
        unionworker_save(
            user=street_officer, org=city.other_community, name="x", kind="instructor",
            started_on=date(2026, 1, 1),
        )  # fmt: skip
