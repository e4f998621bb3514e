"""Every route, enumerated: an officer of one street gets 404 for another district's objects.

A new URL pattern or API operation fails this test until it is declared below with the
out-of-scope object its parameters should name.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gonghui.api import api
from gonghui.testing import api_client, logged_in

# Routes with nothing org-owned behind them.
PUBLIC = {"healthz", "login", "logout", "set_language", "api:openapi-json", "api:openapi-view"}
# List pages: must not show the other district's names.
LISTS = {"home", "orgs:tree", "orgs:employers"}
# Detail pages: kwargs naming an object of the other district.
DETAILS = {
    "orgs:detail": lambda c: {"code": c.other_district.code},
    "orgs:employer": lambda c: {"uscc": c.other_employer.uscc},
}
# API path parameters: the other district's value for each.
API_PARAMS = {
    "code": lambda c: c.other_district.code,
    "uscc": lambda c: c.other_employer.uscc,
}


def _names(patterns: list, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}", entry))
    return found


def test_every_route_is_declared():
    # The admin is closed to officers (below); API operations are swept through the schema.
    names = [
        name
        for name, _p in _names(get_resolver().url_patterns)
        if not name.startswith(("admin:", "api:"))
    ]
    undeclared = [name for name in names if name not in PUBLIC | LISTS | DETAILS.keys()]
    assert undeclared == []


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_detail_pages_of_another_district_answer_404(name, city, street_officer):
    response = logged_in(street_officer).get(reverse(name, kwargs=DETAILS[name](city)))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_pages_show_nothing_of_another_district(name, city, street_officer):
    response = logged_in(street_officer).get(reverse(name), follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    for foreign in (city.other_district.name, city.other_employer.name, city.sibling_employer.name):
        assert foreign not in body


def _api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method) for path, methods in schema["paths"].items() for method in methods]


def test_api_has_only_get_operations_so_far():
    # Write operations arrive with later issues; each must then join the sweep below.
    assert {method for _path, method in _api_operations()} == {"get"}


@pytest.mark.parametrize(("path", "method"), _api_operations())
def test_api_operation_never_shows_another_district(path, method, city, street_officer):
    client = api_client(street_officer)
    url = path
    params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    for param in params:
        assert param in API_PARAMS, f"declare an out-of-scope value for {{{param}}}"
        url = url.replace(f"{{{param}}}", API_PARAMS[param](city))
    response = client.get(url)
    if params:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        body = json.dumps(response.json(), ensure_ascii=False)
        for foreign in (
            city.other_district.code,
            city.other_employer.uscc,
            city.sibling_employer.uscc,
        ):
            assert foreign not in body


def test_admin_is_closed_to_officers(city, street_officer):
    response = logged_in(street_officer).get("/admin/orgs/unionorg/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
