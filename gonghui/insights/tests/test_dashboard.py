"""Dashboards: KPIs and drill-down rows from the rollups, scoped; XLSX; the API."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


def _get(user, name, **kwargs):
    return logged_in(user).get(reverse(name, kwargs=kwargs))


def test_the_dashboard_shows_the_subtree_figures(figures, district_officer):
    body = _get(district_officer, "insights:org", code=figures.district.code).content.decode()
    # 东城区: 5 members joined, 4 of them still active (conftest).
    assert re.search(r'data-testid="kpi-members">\s*4\s*<', body)
    assert figures.street.name in body
    assert figures.sibling_street.name in body
    assert figures.other_district.name not in body


def test_the_child_rows_link_to_their_dashboards(figures, district_officer):
    body = _get(district_officer, "insights:org", code=figures.district.code).content.decode()
    assert reverse("insights:org", kwargs={"code": figures.street.code}) in body


def test_child_rows_add_up_to_the_total(figures, city_admin):
    response = _get(city_admin, "insights:org", code=figures.city.code)
    body = response.content.decode()
    rows = re.findall(r'data-testid="child-row">(.*?)</tr>', body, re.S)
    total = re.search(r'data-testid="total-row">(.*?)</tr>', body, re.S).group(1)

    def cells(row):
        return [c.strip() for c in re.findall(r'<td class="text-end">(.*?)</td>', row)]

    members = [int(cells(r)[0]) for r in rows]
    assert sum(members) == int(cells(total)[0]) == 7


def test_five_year_growth_is_shown(figures, city_admin):
    body = _get(city_admin, "insights:org", code=figures.city.code).content.decode()
    # Two of today's 7 active members had joined five years ago: +250 %.
    assert re.search(r'data-testid="kpi-members-5y">\s*250\.0%', body)


def test_disputes_and_subsidies_have_their_figures(figures, district_officer):
    body = _get(district_officer, "insights:org", code=figures.district.code).content.decode()
    assert 'data-testid="kpi-disputes"' in body
    assert 'data-testid="kpi-subsidies"' in body


def test_the_page_loads_its_script_from_static_files_without_inline_code(figures, city_admin):
    body = _get(city_admin, "insights:org", code=figures.city.code).content.decode()
    assert "insights-dashboard.js" in body
    assert "onclick" not in body
    inline_tags = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert all('type="application/json"' in tag for tag in inline_tags)


def test_a_leaf_union_has_a_dashboard_too(figures, city_admin):
    union = figures.employer.union
    response = _get(city_admin, "insights:org", code=union.code)
    assert response.status_code == 200


def test_the_home_page_opens_the_users_own_org(figures, street_officer):
    response = logged_in(street_officer).get(reverse("insights:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("insights:org", kwargs={"code": figures.street.code})
    )


def test_a_district_officer_gets_404_for_another_districts_dashboard(figures, district_officer):
    for name in ("insights:org", "insights:org_xlsx", "insights:report"):
        assert _get(district_officer, name, code=figures.other_district.code).status_code == 404
    assert _get(district_officer, "insights:org", code=figures.city.code).status_code == 404


def test_the_xlsx_holds_each_child_and_the_total(figures, district_officer):
    with translation.override("en"):
        response = _get(district_officer, "insights:org_xlsx", code=figures.district.code)
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0][:2] == ["Org", "Members"]
    names = [row[0] for row in sheet[1:]]
    assert names == [figures.street.name, figures.sibling_street.name, "Total"]
    assert sheet[-1][1] in ("4", 4, 4.0)


def test_the_api_returns_indicators_of_the_org_and_its_children(figures, district_officer):
    response = api_client(district_officer).get(f"/api/v1/insights/orgs/{figures.district.code}")
    assert response.status_code == 200
    data = response.json()
    assert data["total"]["indicators"]["members"] == 4
    assert [c["code"] for c in data["children"]] == [
        figures.street.code,
        figures.sibling_street.code,
    ]
    assert sum(c["indicators"]["members"] for c in data["children"]) == 4


def test_the_api_answers_404_for_another_district(figures, district_officer):
    response = api_client(district_officer).get(
        f"/api/v1/insights/orgs/{figures.other_district.code}"
    )
    assert response.status_code == 404


def test_the_page_says_when_figures_were_refreshed(figures, district_officer):
    body = _get(district_officer, "insights:org", code=figures.district.code).content.decode()
    assert 'data-testid="rollup-run"' in body


def test_the_api_takes_a_period(figures, district_officer):
    year = figures.this_year
    response = api_client(district_officer).get(
        f"/api/v1/insights/orgs/{figures.district.code}?from={year}-01&to={year}-01"
    )
    data = response.json()
    assert (data["first"], data["last"]) == (f"{year}-01-01", f"{year}-01-01")
    assert data["total"]["indicators"]["appeals_received"] == 2
    assert data["total"]["indicators"]["completion_rate"] == 0.5
