"""In a real browser, the strict Content-Security-Policy blocks nothing the pages need.

Chromium reports every blocked script, style, image or request as a `securitypolicyviolation`
event and a console error; the tests collect both while clicking through the HTMX actions of
the org tree, the member list and page, the portal's employer picker, an ECharts dashboard
and the API documentation, and fail on any.
"""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from gonghui.members.tests.factories import MemberFactory
from gonghui.testing import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs; Playwright's init scripts are not subject to the CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@dataclass
class Violations:
    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return [*events, *self.console, *self.errors]


@pytest.fixture
def violations(page: Page, live_server) -> Violations:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.add_init_script(RECORD_VIOLATIONS)
    found = Violations(page)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.console.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.errors.append(str(error)))
    return found


def test_the_detector_sees_a_blocked_resource(page: Page, live_server, violations, city):
    page.goto(f"{live_server.url}/portal/join/")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"http://203.0.113.1/x.png\">')"
    )

    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("img-src" in violation for violation in violations.all())


def test_org_tree_and_member_pages_run_without_a_violation(
    page: Page, live_server, violations, city, street_officer
):
    member = MemberFactory(org=city.community, name="王小明")
    log_in_browser(page, live_server.url, "street_officer")

    # The org tree: drilling down swaps the panel through HTMX.
    page.goto(f"{live_server.url}/orgs/")
    page.get_by_test_id("children").get_by_role("link", name="多福巷社区联合工会").click()
    expect(page.get_by_test_id("org-name")).to_have_text("多福巷社区联合工会")

    # The member list: typing searches through HTMX.
    page.goto(f"{live_server.url}/members/")
    page.get_by_label("ID number, phone, name or pinyin").fill("王小明")
    expect(page.get_by_test_id("members")).to_contain_text("王小明")
    page.get_by_test_id("members").get_by_role("link", name="王小明").click()
    expect(page).to_have_url(re.compile(rf"/members/{member.pk}/$"))

    # The member page: reveal (audited), card actions and the transfer preview, all HTMX.
    page.get_by_placeholder("Reason (audited)").first.fill("核对身份")
    page.get_by_role("button", name="Reveal").first.click()
    expect(page.get_by_test_id("revealed-id_number")).to_be_visible()
    page.get_by_role("button", name="Issue card").click()
    expect(page.get_by_test_id("card-status")).to_have_text("Active")
    page.get_by_role("button", name="Report lost").click()
    expect(page.get_by_test_id("card-status").first).to_have_text("Reported lost")
    page.get_by_label("Code of the receiving union").fill("E00000001")  # the employer's union
    expect(page.get_by_test_id("transfer-org")).to_contain_text("北京甲乙科技有限公司工会委员会")

    assert violations.all() == []


def test_echarts_draws_under_the_policy(page: Page, live_server, violations, city, street_officer):
    log_in_browser(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/appeals/stats/")

    expect(page.locator("#chart-month canvas")).to_be_visible()
    assert violations.all() == []


def test_portal_join_page_runs_without_a_violation(page: Page, live_server, violations, city):
    page.goto(f"{live_server.url}/portal/join/")
    page.get_by_label("Employer (start of its name, or its credit code)").fill("北京甲乙")
    expect(page.get_by_test_id("employer-options")).to_contain_text("北京甲乙科技有限公司")

    assert violations.all() == []


def test_api_documentation_page_runs_without_a_violation(page: Page, live_server, violations):
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("Gonghui API").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert violations.all() == []
