"""First journey in a real browser: a street officer sees only their street's subtree."""

import re

import pytest
from playwright.sync_api import Page, expect

from gonghui.testing import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_officer_sees_only_their_street(
    page: Page, live_server, city, street_officer, artifacts
):
    log_in_browser(page, live_server.url, "street_officer")
    page.click("text=组织网络")
    expect(page.get_by_test_id("org-name")).to_have_text("东华门街道总工会")
    children = page.get_by_test_id("children")
    expect(children).to_contain_text("多福巷社区联合工会")
    body = page.content()
    for foreign in ("西城区总工会", "景山街道总工会", "东城区总工会"):
        assert foreign not in body
    page.screenshot(path=str(artifacts / "street-officer-org-tree.png"), full_page=True)

    # Drilling down swaps the panel through HTMX and pushes the URL.
    page.evaluate("window.__notReloaded = true")
    children.get_by_role("link", name="多福巷社区联合工会").click()
    expect(page.get_by_test_id("org-name")).to_have_text("多福巷社区联合工会")
    expect(page).to_have_url(re.compile(r"/orgs/110101001001/$"))
    assert page.evaluate("window.__notReloaded") is True

    # Typing another district's code into the address bar gets a 404.
    response = page.goto(f"{live_server.url}/orgs/110102/")
    assert response is not None
    assert response.status == 404


def test_language_switch_to_english(page: Page, live_server, city, street_officer):
    log_in_browser(page, live_server.url, "street_officer")
    page.click("button[value=en]")
    expect(page.get_by_role("link", name="Union network")).to_be_visible()


def test_street_officer_follows_up_a_supervision_item(
    page: Page, live_server, city, street_officer, artifacts
):
    from datetime import date

    from gonghui.orgs.models import SupervisionItem
    from gonghui.orgs.services.supervision import supervision_rebuild
    from gonghui.orgs.tests.factories import EmployerFactory

    EmployerFactory(
        name="北京督办对象有限公司", org=city.community, community=city.community,
        employees=80, opened_on=date(2012, 4, 1),
    )  # fmt: skip
    supervision_rebuild(scope_org=city.city)
    log_in_browser(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/orgs/supervision/")
    items = page.get_by_test_id("supervision-items")
    expect(items).to_contain_text("北京督办对象有限公司")
    items.get_by_role("link", name="北京督办对象有限公司").click()
    page.select_option("select[name=outcome]", "refused")
    page.fill("textarea[name=note]", "负责人拒绝")
    page.get_by_role("button", name="保存").click()
    page.screenshot(path=str(artifacts / "supervision-item.png"), full_page=True)
    expect(page.get_by_test_id("follow-ups")).to_contain_text("负责人拒绝")
    page.screenshot(path=str(artifacts / "supervision-item.png"), full_page=True)
    assert SupervisionItem.objects.get().refusals == 1
