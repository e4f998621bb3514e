"""Every route, enumerated: each is public, the worker's own data, or scoped to an org subtree.

Each app declares its routes in `gonghui/<app>/tests/scope_routes*.py`:

- PUBLIC: URL names (and "METHOD /api/v1/path" operations) anyone may call. Public pages are
  rate limited (gonghui.core.ratelimit) unless listed in UNLIMITED below with the reason.
- OWN_DATA: worker-portal routes that reach only the requester's own data through a lookup code;
  name → `lambda city: (url kwargs, POST data or None)` that tries someone else's data without
  the secret: the answer must show none of it.
- STAFF_ONLY: name → url kwargs of pages that need a login but hold no org-owned object (one's
  own account, the administrators' pages); their app's tests prove who may open them.
- LISTS: GET pages that must show nothing of another district.
- DETAILS (GET) and ACTIONS (POST): name → `lambda city, org: url kwargs` of a fresh object
  placed at `org`. The sweep places one in a community and asks as an officer of that community
  (allowed), of its street (an ancestor: allowed), of a sibling street (404) and of another
  district (404).
- VIEWER_ROLES: name → the role the sweep asks as, for routes that only that role may use (the
  administrators' and the auditor's pages): the sweep's officers become users of that role at
  the same places in the tree.
- API_PARAMS: path parameter → `lambda city, org: value`; API_ACTIONS: "METHOD /path" →
  `lambda city, org: (path values, JSON body)`. GET operations without parameters are lists:
  nothing foreign in the answer.

A URL pattern or API operation that is not declared fails this test.
"""

import importlib
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gonghui.accounts.services import user_create_or_update
from gonghui.api import api
from gonghui.testing import PASSWORD, api_client, logged_in

_ROOT = Path(__file__).resolve().parents[3]
_KINDS = (
    *("PUBLIC", "OWN_DATA", "STAFF_ONLY", "LISTS", "DETAILS", "ACTIONS"),
    *("API_PARAMS", "API_ACTIONS", "VIEWER_ROLES"),
)

# Public pages without a rate limit, and why none is needed.
UNLIMITED = {
    "healthz": "probes poll it; one trivial query, no data",
    "login": "django-axes locks out by username and address",
    "logout": "ends the caller's own session",
    "set_language": "sets a cookie, reads nothing",
    "api:openapi-json": "the API's schema, no data",
    "api:openapi-view": "the API's documentation page, no data",
    "members:portal_join_done": "shows only what this browser session just submitted",
    "password_reset_done": "a fixed page",
    "password_reset_confirm": "its signed, expiring token cannot be guessed",
    "password_reset_complete": "a fixed page",
}


def _declarations() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
    for path in sorted(_ROOT.glob("gonghui/*/tests/scope_routes*.py")):
        module = importlib.import_module(".".join(path.relative_to(_ROOT).with_suffix("").parts))
        for key in merged:
            value = getattr(module, key, {})
            merged[key].update(dict.fromkeys(value) if isinstance(value, set) else value)
    return merged


DECLARED = _declarations()


def _foreign(factory: Callable[..., Any], city: Any) -> Any:
    """The factory's object placed in another district."""
    return factory(city, city.other_community)


def _names(patterns: list, namespace: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            found.append(f"{namespace}{entry.name}")
    return found


def _callbacks(patterns: list, namespace: str = "") -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= _callbacks(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            found[f"{namespace}{entry.name}"] = entry.callback
    return found


def _page_names() -> list[str]:
    # The admin is closed to officers (below); API operations are swept through the schema.
    names = _names(get_resolver().url_patterns)
    return [name for name in names if not name.startswith(("admin:", "api:"))]


def _api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method) for path, methods in schema["paths"].items() for method in methods]


def _api_declared(path: str, method: str) -> bool:
    key = f"{method.upper()} {path}"
    if key in DECLARED["PUBLIC"] or key in DECLARED["OWN_DATA"]:
        return True
    if method != "get":
        return key in DECLARED["API_ACTIONS"]
    params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return all(param in DECLARED["API_PARAMS"] for param in params)


# --- coverage -----------------------------------------------------------------------------------


def test_every_route_is_declared():
    known = {
        name
        for kind in ("PUBLIC", "OWN_DATA", "STAFF_ONLY", "LISTS", "DETAILS", "ACTIONS")
        for name in DECLARED[kind]
    }
    assert [name for name in _page_names() if name not in known] == []


def test_every_api_operation_is_declared():
    undeclared = [
        f"{method.upper()} {path}"
        for path, method in _api_operations()
        if not _api_declared(path, method)
    ]
    assert undeclared == []


def test_every_scoped_declaration_places_its_object():
    """Each factory takes (city, org), so the sweep can ask from every place in the tree."""
    one_place = [
        name
        for kind in ("DETAILS", "ACTIONS", "API_PARAMS", "API_ACTIONS")
        for name, factory in DECLARED[kind].items()
        if len(inspect.signature(factory).parameters) != 2
    ]
    assert one_place == []


def test_every_public_page_is_rate_limited():
    callbacks = _callbacks(get_resolver().url_patterns)
    public = [*DECLARED["PUBLIC"], *DECLARED["OWN_DATA"]]
    unlimited = [
        name
        for name in public
        if name in callbacks
        and name not in UNLIMITED
        and not getattr(callbacks[name], "rate_limit", None)
    ]
    assert unlimited == [], "decorate with gonghui.core.ratelimit.rate_limited"


# --- the worker's own data ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DECLARED["OWN_DATA"]))
def test_own_data_routes_show_nothing_without_the_secret(name, city):
    factory = DECLARED["OWN_DATA"][name]
    kwargs, data = factory(city) if factory else ({}, None)
    client = Client()
    url = reverse(name, kwargs=kwargs)
    response = client.post(url, data) if data is not None else client.get(url)
    body = response.content.decode(errors="replace")
    assert response.status_code < 500
    for foreign in [*city.foreign_markers(), city.other_community.name]:
        assert foreign not in body


# --- scoped pages: another district ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DECLARED["DETAILS"]))
def test_detail_pages_of_another_district_answer_404(name, city):
    kwargs = _foreign(DECLARED["DETAILS"][name], city)
    response = logged_in(_asker(city, name, "street")).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(DECLARED["ACTIONS"]))
def test_actions_on_another_districts_objects_answer_404(name, city):
    kwargs = _foreign(DECLARED["ACTIONS"][name], city)
    response = logged_in(_asker(city, name, "street")).post(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(DECLARED["LISTS"]))
def test_list_pages_show_nothing_of_another_district(name, city):
    response = logged_in(_asker(city, name, "street")).get(reverse(name), follow=True)
    # Exports are checked by their own tests, which open the XLSX; here the page itself.
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    assert response.status_code == 200
    for foreign in city.foreign_markers():
        assert foreign not in body


# --- scoped pages: the same org, an ancestor, a sibling, another district ----------------------

# Who asks about an object placed in `city.community` (their scope org), and whether they may
# reach it.
VIEWERS = {
    "same org": ("community", True),
    "ancestor": ("street", True),
    "sibling": ("sibling_street", False),
    "other district": ("other_district", False),
}


def _matrix(kind: str) -> list[Any]:
    return [
        pytest.param(name, viewer, id=f"{name}-{viewer}")
        for name in sorted(DECLARED[kind])
        for viewer in VIEWERS
    ]


def _asker(city: Any, name: str, place: str) -> Any:
    """An officer scoped to `place`, or a user of the route's declared role there."""
    role = DECLARED["VIEWER_ROLES"].get(name, "officer")
    return user_create_or_update(
        username=f"sweep_{role}_{place}",
        scope_org=getattr(city, place),
        role=role,
        password=PASSWORD,
    )


def _viewer(city: Any, name: str, viewer: str) -> tuple[Any, bool]:
    place, allowed = VIEWERS[viewer]
    return _asker(city, name, place), allowed


def _assert_reach(status: int, *, allowed: bool, exact: int | None = None) -> None:
    if not allowed:
        assert status == 404
    elif exact is not None:
        assert status == exact
    else:
        assert status < 500
        assert status not in (403, 404)


@pytest.mark.parametrize(("name", "viewer"), _matrix("DETAILS"))
def test_detail_pages_by_place_in_the_tree(name, viewer, city):
    factory = DECLARED["DETAILS"][name]
    user, allowed = _viewer(city, name, viewer)
    response = logged_in(user).get(reverse(name, kwargs=factory(city, city.community)))
    _assert_reach(response.status_code, allowed=allowed, exact=200)


@pytest.mark.parametrize(("name", "viewer"), _matrix("ACTIONS"))
def test_actions_by_place_in_the_tree(name, viewer, city):
    factory = DECLARED["ACTIONS"][name]
    user, allowed = _viewer(city, name, viewer)
    response = logged_in(user).post(reverse(name, kwargs=factory(city, city.community)))
    _assert_reach(response.status_code, allowed=allowed)


# --- the API ------------------------------------------------------------------------------------


def _fill(path: str, values: dict[str, Any]) -> str:
    for param, value in values.items():
        path = path.replace(f"{{{param}}}", str(value))
    return path


def _param_values(
    path: str, city: Any, org: Any | None, given: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Path values: `given` first, the rest from API_PARAMS (placed at `org`, else foreign)."""
    values = dict(given or {})
    for param in (part[1:-1] for part in path.split("/") if part.startswith("{")):
        if param in values:
            continue
        assert param in DECLARED["API_PARAMS"], f"declare a value for {{{param}}}"
        factory = DECLARED["API_PARAMS"][param]
        values[param] = _foreign(factory, city) if org is None else factory(city, org)
    return values


def _scoped_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, method in _api_operations()
        if f"{method.upper()} {path}" not in DECLARED["PUBLIC"]
        and f"{method.upper()} {path}" not in DECLARED["OWN_DATA"]
    ]


def _call(client: Client, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("path", "method"), _scoped_operations())
def test_api_operation_never_reaches_another_district(path, method, city):
    client = api_client(_asker(city, f"{method.upper()} {path}", "street"))
    if method != "get":
        key = f"{method.upper()} {path}"
        assert key in DECLARED["API_ACTIONS"], f"declare {key} in a scope_routes module"
        given, body = _foreign(DECLARED["API_ACTIONS"][key], city)
        response = _call(client, method, _fill(path, _param_values(path, city, None, given)), body)
        assert response.status_code == 404
        return
    values = _param_values(path, city, None)
    response = client.get(_fill(path, values))
    if values:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False)
        for foreign in city.foreign_markers():
            assert foreign not in text


def _api_matrix() -> list[Any]:
    operations = []
    for path, method in _scoped_operations():
        key = f"{method.upper()} {path}"
        if method != "get":
            factories = [DECLARED["API_ACTIONS"].get(key)]
        elif "{" in path:
            params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
            factories = [DECLARED["API_PARAMS"].get(param) for param in params]
        else:
            continue  # lists: checked above
        if all(factory is not None for factory in factories):
            operations += [
                pytest.param(path, method, viewer, id=f"{key}-{viewer}") for viewer in VIEWERS
            ]
    return operations


@pytest.mark.parametrize(("path", "method", "viewer"), _api_matrix())
def test_api_operations_by_place_in_the_tree(path, method, viewer, city):
    user, allowed = _viewer(city, f"{method.upper()} {path}", viewer)
    given, body = {}, None
    if method != "get":
        given, body = DECLARED["API_ACTIONS"][f"{method.upper()} {path}"](city, city.community)
    values = _param_values(path, city, city.community, given)
    response = _call(api_client(user), method, _fill(path, values), body)
    _assert_reach(response.status_code, allowed=allowed, exact=200 if method == "get" else None)


def test_admin_is_closed_to_officers(city, street_officer):
    response = logged_in(street_officer).get("/admin/orgs/unionorg/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
