"""The dashboard in Chromium under the strict CSP: charts drawn, a child org's bar drills down."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.appeals.models import Category, RoutingRule
from gonghui.appeals.seed import seed
from gonghui.core.tests.test_browser_csp import RECORD_VIOLATIONS
from gonghui.testing import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    seed(Category, RoutingRule)


def test_clicking_a_child_orgs_bar_opens_its_dashboard(
    seeded, figures, district_officer, page: Page, live_server
):
    violations: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("pageerror", lambda error: violations.append(str(error)))
    log_in_browser(page, live_server.url, "district_officer")
    page.goto(f"{live_server.url}/insights/org/{figures.district.code}/")
    for chart in ("#chart-years", "#chart-months", "#chart-children"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    # The first bar (东华门街道, 3 members): its pixel position from ECharts itself.
    x, y = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-children'));
          return chart.convertToPixel({seriesIndex: 0}, [0, 1]);
        }"""
    )
    page.locator("#chart-children canvas").click(position={"x": x, "y": y})
    expect(page).to_have_url(re.compile(rf"/insights/org/{figures.street.code}/\?month="))
    expect(page.locator("h1")).to_contain_text(figures.street.name)
    violations += page.evaluate("window.__cspViolations || []")
    assert violations == []
