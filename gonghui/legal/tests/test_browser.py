"""The legal services in Chromium under the strict Content-Security-Policy: a mediation step
recorded on a case page and a worker asking for legal aid from the portal."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core.tests.test_browser_csp import RECORD_VIOLATIONS
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import PASSWORD, log_in_browser

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


def test_a_mediation_step_starts_the_clock_on_the_case_page(english, live_server, city):
    page = english
    user_create_or_update(
        username="legal_handler", scope_org=city.street, role=Role.APPEAL_HANDLER,
        password=PASSWORD,
    )  # fmt: skip
    case = make_dispute(city.community)
    log_in_browser(page, live_server.url, "legal_handler")
    page.goto(f"{live_server.url}/legal/disputes/{case.pk}/")
    expect(page.get_by_test_id("paths")).to_contain_text("Mediation")
    page.get_by_label("Path").select_option("mediation")
    page.get_by_label("Who").fill("调解员 孙")
    page.get_by_test_id("step-form").get_by_role("button", name="Record").click()
    expect(page.get_by_test_id("steps")).to_contain_text("调解员 孙")
    expect(page.get_by_test_id("clock-mediation")).to_have_attribute("data-state", "running")
    assert _violations(page) == []


def test_a_worker_asks_for_legal_aid_from_the_portal(english, live_server, city):
    page = english
    page.goto(f"{live_server.url}/portal/legal/new/")
    page.get_by_role("radio", name="Legal aid").check()
    page.get_by_label("Your name").fill("钱多")
    page.get_by_label("Mobile phone").fill("13711112222")
    page.get_by_label("Your question or situation").fill("工伤不被认定")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("lookup-code")).to_have_text(re.compile(r"^YZ\d{10}$"))
    assert _violations(page) == []
