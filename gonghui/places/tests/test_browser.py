"""The portal finder in Chromium: the browser's position, or a centre chosen by hand, under the
strict Content-Security-Policy (the script is a static file)."""

import pytest
from playwright.sync_api import Page, expect

from gonghui.core.tests.test_browser_csp import RECORD_VIOLATIONS
from gonghui.places.models import PointKind
from gonghui.places.tests.factories import ServicePointFactory

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


@pytest.fixture
def points(city):
    ServicePointFactory(org=city.community, name="Far station", lat=40.10, lng=116.40)
    ServicePointFactory(org=city.community, name="Near station", lat=39.9050, lng=116.4070)
    ServicePointFactory(
        org=city.district, name="Dongcheng centre", kind=PointKind.SERVICE_CENTRE,
        lat=40.0990, lng=116.4000,
    )  # fmt: skip


def test_the_finder_lists_the_nearest_to_the_browsers_position(english, live_server, points):
    page = english
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.904, "longitude": 116.407})
    page.goto(f"{live_server.url}/portal/places/")
    page.get_by_test_id("locate").click()
    items = page.get_by_test_id("nearest-item")
    expect(items.first).to_contain_text("Near station")
    expect(items.first.get_by_test_id("distance")).to_have_text("111 m")
    assert _violations(page) == []


def test_without_a_position_a_centre_is_chosen_by_hand(english, live_server, points):
    page = english
    page.context.clear_permissions()
    page.goto(f"{live_server.url}/portal/places/")
    page.get_by_test_id("locate").click()
    expect(page.locator("#locate-status")).to_contain_text("choose a centre")
    page.get_by_label("Or choose a centre").select_option(label="Dongcheng centre")
    page.get_by_role("button", name="Search").click()
    items = page.get_by_test_id("nearest-item")
    expect(items.first).to_contain_text("Dongcheng centre")
    expect(items.nth(1)).to_contain_text("Far station")
    assert _violations(page) == []
