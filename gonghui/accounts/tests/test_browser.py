"""In a real browser: enrol an authenticator after the first login, then log in with a code."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from gonghui.testing import PASSWORD, log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_enrols_an_authenticator_at_the_first_login(
    page: Page, live_server, city, street_officer, artifacts
):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    page.screenshot(path=str(artifacts / "two-factor-enrolment.png"), full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("button[type=submit].w-100")
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("continue").click()
    expect(page.get_by_test_id("org-name")).to_have_text("东华门街道总工会")
    assert errors == []


def test_a_second_login_asks_for_the_code(page: Page, live_server, city, street_officer):
    log_in_browser(page, live_server.url, "street_officer")
    expect(page.get_by_test_id("org-name")).to_have_text("东华门街道总工会")
