import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from gonghui.orgs.models import OrgKind
from gonghui.testing import api_client


def test_api_requires_a_bearer_token(city):
    assert Client().get("/api/v1/orgs").status_code == 401


def test_revoked_or_unknown_token_is_refused(city):
    client = Client(headers={"Authorization": "Bearer gh_not-a-real-token"})
    assert client.get("/api/v1/orgs").status_code == 401


def test_org_list_is_the_callers_subtree_with_total_count(city, district_officer):
    body = api_client(district_officer).get("/api/v1/orgs").json()
    codes = {item["code"] for item in body["items"]}
    assert body["count"] == len(codes) == 5
    assert "110102" not in codes
    assert "110000" not in codes


def test_org_list_filters_by_parent_and_kind(city, district_officer):
    client = api_client(district_officer)
    children = client.get("/api/v1/orgs", {"parent": "110101"}).json()
    assert {i["code"] for i in children["items"]} == {"110101001", "110101002"}
    assert {i["parent_code"] for i in children["items"]} == {"110101"}
    streets = client.get("/api/v1/orgs", {"kind": OrgKind.COMMUNITY}).json()
    assert [i["code"] for i in streets["items"]] == ["110101001001"]


def test_org_list_pages(city, city_admin):
    client = api_client(city_admin)
    first = client.get("/api/v1/orgs", {"page": 1, "page_size": 4}).json()
    second = client.get("/api/v1/orgs", {"page": 2, "page_size": 4}).json()
    assert first["count"] == second["count"] == 9
    assert len(first["items"]) == 4
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}


def test_page_size_is_capped_at_1000(city, city_admin):
    assert api_client(city_admin).get("/api/v1/orgs", {"page_size": 1001}).status_code == 422


def test_org_detail_carries_coverage(city, district_officer):
    body = api_client(district_officer).get("/api/v1/orgs/110101").json()
    assert body["coverage"]["employers"] == 2
    assert body["coverage"]["with_union"] == 1
    assert body["coverage"]["rate"] == pytest.approx(0.5)
    assert body["parent_code"] == "110000"


def test_employer_search_by_name_uscc_and_union(city, district_officer):
    client = api_client(district_officer)
    by_name = client.get("/api/v1/employers", {"q": "甲乙"}).json()
    assert [i["uscc"] for i in by_name["items"]] == [city.employer.uscc]
    by_uscc = client.get("/api/v1/employers", {"uscc": city.sibling_employer.uscc.lower()}).json()
    assert by_uscc["count"] == 1
    without = client.get("/api/v1/employers", {"has_union": "false"}).json()
    assert [i["uscc"] for i in without["items"]] == [city.sibling_employer.uscc]


def test_employer_detail(city, street_officer):
    body = api_client(street_officer).get(f"/api/v1/employers/{city.employer.uscc}").json()
    assert body["union_code"] == "E00000001"
    assert body["has_union"] is True


def test_openapi_schema_and_local_docs_are_served(city):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/employers/{uscc}" in schema["paths"]
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(city):
    # ninja is no installed app (it would slow every process's start): its files are ours.
    docs = Client().get("/api/v1/docs").content.decode()
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/static/ninja/{name}" in docs
        assert finders.find(f"ninja/{name}") is not None


def test_org_detail_counts_orgs_by_kind(city, district_officer):
    body = api_client(district_officer).get("/api/v1/orgs/110101").json()
    assert body["coverage"]["orgs_by_kind"] == {
        "district": 1,
        "street": 2,
        "community": 1,
        "enterprise": 1,
    }
