"""The appeal line in Chromium: hotline intake with the caller lookup, HTMX actions, the
dashboard's charts and the portal form, all under the strict Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.appeals.tests.helpers import file_appeal, handler
from gonghui.core.tests.test_browser_csp import RECORD_VIOLATIONS
from gonghui.members.tests.factories import MemberFactory
from gonghui.testing import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _violations(page: Page) -> list[str]:
    return [*page.evaluate("window.__cspViolations || []"), *page.errors]  # type: ignore[attr-defined]


def test_a_hotline_call_is_taken_and_accepted_on_one_screen(english, live_server, city, seeded):
    page = english
    handler("hotline_operator", city.street)
    MemberFactory(org=city.community, phone="13900007777", name="郑红")
    log_in_browser(page, live_server.url, "hotline_operator")
    page.goto(f"{live_server.url}/appeals/new/")
    page.get_by_label("Caller's mobile phone").fill("13900007777")
    expect(page.get_by_test_id("caller-member")).to_contain_text("郑红")
    expect(page.get_by_test_id("caller-member")).to_contain_text("139****7777")
    page.get_by_label("Name", exact=True).fill("郑红")
    page.get_by_label("Category").select_option("wage_arrears")
    page.get_by_label("Employer (name or credit code)").fill(city.employer.uscc)
    page.get_by_label("What the caller says").fill("三个月工资未发")
    page.get_by_role("button", name="File the appeal").click()
    expect(page).to_have_url(re.compile(r"/appeals/123512\d+/$"))
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("status")).to_have_text("Accepted")
    assert _violations(page) == []


def test_the_dashboard_draws_its_charts(english, live_server, city, seeded):
    page = english
    handler("dashboard_handler", city.street)
    file_appeal(city.city, employer_uscc=city.employer.uscc)
    log_in_browser(page, live_server.url, "dashboard_handler")
    page.goto(f"{live_server.url}/appeals/stats/")
    expect(page.locator("#chart-month canvas")).to_have_count(1)
    expect(page.locator("#chart-category canvas")).to_have_count(1)
    assert _violations(page) == []


def test_a_worker_files_from_the_portal(english, live_server, city, seeded):
    page = english
    page.goto(f"{live_server.url}/portal/appeals/new/")
    page.get_by_label("Your name").fill("钱多")
    page.get_by_label("Mobile phone").fill("13711112222")
    page.get_by_label("Describe your situation").fill("工资拖欠")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_test_id("tracking-code")).to_have_text(re.compile(r"^12351\d{10}$"))
    assert _violations(page) == []
