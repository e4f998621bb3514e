"""The accounts routes that need a login but hold no org-owned object (scope_routes.STAFF_ONLY)."""

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.scope_routes import ADMIN_PAGES, STAFF_ONLY
from gonghui.testing import logged_in


@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_an_anonymous_caller_is_sent_to_the_login_page(db, name):
    url = reverse(name, kwargs=STAFF_ONLY[name])
    for response in (Client().get(url), Client().post(url)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_an_officer_is_refused_the_administrators_pages(street_officer, name):
    url = reverse(name, kwargs=STAFF_ONLY[name])
    client = logged_in(street_officer)
    method = client.post if name == "accounts:address_unlock" else client.get
    assert method(url).status_code == 403
