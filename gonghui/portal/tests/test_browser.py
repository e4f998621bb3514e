"""Signing in to the worker portal in Chromium, under the strict Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.core.tests.test_browser_csp import RECORD_VIOLATIONS
from gonghui.members.tests.factories import MemberFactory
from gonghui.notify.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_signs_in_with_the_sms_code_and_sees_the_home(page: Page, live_server, city):
    MemberFactory(org=city.community, phone="13812340000", name="孙丽")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/portal/")
    expect(page).to_have_url(re.compile(r"/portal/sign-in/"))
    page.get_by_label("Mobile phone").fill("13812340000")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_test_id("code-sent")).to_contain_text("138****0000")
    code = re.search(r"\d{6}", OutboxMessage.objects.get().body)[0]
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("my-card")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("孙丽")
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/portal/sign-in/"))
    assert page.evaluate("window.__cspViolations || []") == []
