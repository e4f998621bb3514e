"""Benefits in Chromium under the strict Content-Security-Policy: the live member count while a
segment is edited (HTMX), and a worker signing up for an event on the portal."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from gonghui.appeals.tests.test_browser import _violations
from gonghui.benefits.services.catalogue import profile_set
from gonghui.benefits.tests.helpers import event_at, member_at
from gonghui.portal.auth import SESSION_KEY
from gonghui.testing import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_member_count_follows_the_rules_while_editing(
    english, live_server, city, street_officer
):
    page = english
    for _ in range(3):
        profile_set(member=member_at(city.community), high_skill=True)
    member_at(city.community)
    log_in_browser(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/benefits/segments/new/")
    page.get_by_label("Name", exact=True).fill("三高职工")
    expect(page.get_by_test_id("segment-count")).to_have_text("4")
    page.get_by_label("High education/title/income (三高) only").check()
    expect(page.get_by_test_id("segment-count")).to_have_text("3")
    assert _violations(page) == []


def test_a_worker_signs_up_and_lands_on_the_waiting_list(english, live_server, city):
    event = event_at(city.street, capacity=1, title="Welding contest")
    from gonghui.benefits.services.events import event_sign_up

    event_sign_up(event=event, member=member_at(city.community))
    worker = member_at(city.community)
    session = SessionStore()
    session[SESSION_KEY] = worker.pk
    session.create()
    english.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    english.goto(f"{live_server.url}/portal/benefits/events/")
    english.get_by_text("Welding contest").click()
    english.get_by_role("button", name="Sign up").click()
    expect(english.get_by_test_id("my-signup")).to_contain_text("number 1 on the waiting list")
    assert _violations(english) == []
