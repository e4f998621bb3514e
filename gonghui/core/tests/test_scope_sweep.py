"""Every route, enumerated: an officer of one street gets 404 for another district's objects.

Each app declares its routes in `gonghui/<app>/tests/scope_routes*.py`: PUBLIC names, LISTS
(GET pages that must show nothing foreign), DETAILS and ACTIONS (name → the kwargs of another
district's object; GET resp. POST must answer 404), API_PARAMS (path parameter → a foreign
value) and API_ACTIONS ("METHOD /path" → foreign path values and a body; must answer 404).
A new URL pattern or API operation fails this test until it is declared.
"""

import importlib
import json
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gonghui.api import api
from gonghui.testing import api_client, logged_in

_ROOT = Path(__file__).resolve().parents[3]


def _declarations() -> dict[str, dict]:
    merged: dict[str, dict] = {k: {} for k in ("DETAILS", "ACTIONS", "API_PARAMS", "API_ACTIONS")}
    merged["PUBLIC"], merged["LISTS"] = {}, {}
    for path in sorted(_ROOT.glob("gonghui/*/tests/scope_routes*.py")):
        module = importlib.import_module(".".join(path.relative_to(_ROOT).with_suffix("").parts))
        for key in merged:
            value = getattr(module, key, {})
            merged[key].update(dict.fromkeys(value) if isinstance(value, set) else value)
    return merged


DECLARED = _declarations()


def _names(patterns: list, namespace: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            found.append(f"{namespace}{entry.name}")
    return found


def test_every_route_is_declared():
    # The admin is closed to officers (below); API operations are swept through the schema.
    names = [n for n in _names(get_resolver().url_patterns) if not n.startswith(("admin:", "api:"))]
    known = {
        **DECLARED["PUBLIC"],
        **DECLARED["LISTS"],
        **DECLARED["DETAILS"],
        **DECLARED["ACTIONS"],
    }
    assert [name for name in names if name not in known] == []


@pytest.mark.parametrize("name", sorted(DECLARED["DETAILS"]))
def test_detail_pages_of_another_district_answer_404(name, city, street_officer):
    response = logged_in(street_officer).get(reverse(name, kwargs=DECLARED["DETAILS"][name](city)))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(DECLARED["ACTIONS"]))
def test_actions_on_another_districts_objects_answer_404(name, city, street_officer):
    response = logged_in(street_officer).post(reverse(name, kwargs=DECLARED["ACTIONS"][name](city)))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(DECLARED["LISTS"]))
def test_list_pages_show_nothing_of_another_district(name, city, street_officer):
    response = logged_in(street_officer).get(reverse(name), follow=True)
    # Exports are checked by their own tests, which open the XLSX; here the page itself.
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    assert response.status_code == 200
    for foreign in city.foreign_markers():
        assert foreign not in body


def _api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method) for path, methods in schema["paths"].items() for method in methods]


def _fill(path: str, city, values: dict | None = None) -> tuple[str, list[str]]:
    params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    for param in params:
        value = (values or {}).get(param)
        if value is None:
            assert param in DECLARED["API_PARAMS"], f"declare an out-of-scope value for {{{param}}}"
            value = DECLARED["API_PARAMS"][param](city)
        path = path.replace(f"{{{param}}}", str(value))
    return path, params


@pytest.mark.parametrize(("path", "method"), _api_operations())
def test_api_operation_never_reaches_another_district(path, method, city, street_officer):
    client = api_client(street_officer)
    if method != "get":
        key = f"{method.upper()} {path}"
        assert key in DECLARED["API_ACTIONS"], f"declare {key} in a scope_routes module"
        values, body = DECLARED["API_ACTIONS"][key](city)
        url, _params = _fill(path, city, values)
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 404
        return
    url, params = _fill(path, city)
    response = client.get(url)
    if params:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        for foreign in city.foreign_markers():
            assert foreign not in text


def test_admin_is_closed_to_officers(city, street_officer):
    response = logged_in(street_officer).get("/admin/orgs/unionorg/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
