"""Every page carries a strict Content-Security-Policy and the browser-safety headers.

The pages are the ones the scope sweep enumerates: back-office lists and detail pages (as an
officer who may see them), the worker portal's public pages (anonymous). None may need inline
script or style, which the policy would block.
"""

import base64
import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from gonghui.core.tests.test_scope_sweep import DECLARED, _asker
from gonghui.testing import logged_in

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in header.split(";")
        if directive.strip()
    }


def _assert_strict(response) -> None:
    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    body = response.content.decode()
    assert INLINE_SCRIPT.findall(body) == []
    assert INLINE_HANDLER.findall(body) == []
    assert INLINE_STYLE.findall(body) == []


def _get(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("name", sorted(DECLARED["LISTS"]))
def test_back_office_lists_have_a_strict_policy(name, city, street_officer):
    response = logged_in(street_officer).get(reverse(name))
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        _assert_strict(response)


@pytest.mark.parametrize("name", sorted(DECLARED["DETAILS"]))
def test_back_office_detail_pages_have_a_strict_policy(name, city):
    response = logged_in(_asker(city, name, "street")).get(
        reverse(name, kwargs=DECLARED["DETAILS"][name](city, city.community))
    )
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        _assert_strict(response)


@pytest.mark.parametrize("name", sorted([*DECLARED["PUBLIC"], *DECLARED["OWN_DATA"]]))
def test_public_pages_have_a_strict_policy(name, db):
    if name.startswith("api:") or name == "logout":
        pytest.skip("not a page")
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.skip("needs arguments from a link (a signed token)")
    response = Client().get(url, follow=True)
    if response["Content-Type"].startswith("text/html") and response.status_code == 200:
        _assert_strict(response)


def test_the_policy_allows_only_own_scripts_and_a_nonce(db):
    response = _get(Client(), reverse("members:portal_join"))
    scripts = _policy(response)["script-src"]

    assert scripts[0] == "'self'"
    assert re.fullmatch(r"'nonce-[A-Za-z0-9+/=]+'", scripts[1])
    nonce = scripts[1][len("'nonce-") : -1]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_each_response_gets_its_own_nonce(db):
    first = _policy(_get(Client(), reverse("members:portal_join")))["script-src"]
    second = _policy(_get(Client(), reverse("members:portal_join")))["script-src"]

    assert first != second


def test_cookies_cannot_be_read_by_scripts(db, settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY


# --- production --------------------------------------------------------------------------------

PRODUCTION = {
    "GONGHUI_ENV": "production",
    "SECRET_KEY": "x7Gq2" * 12,
    "GONGHUI_PII_KEYS": "k1:" + base64.b64encode(bytes(range(32))).decode(),
    "GONGHUI_PII_INDEX_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
}
_HEADERS = (
    "from django.test import Client\n"
    "r = Client(HTTP_HOST='localhost').get('/healthz', **{extra})\n"
    "print(r.status_code, r.get('Location', '-'), r.get('Strict-Transport-Security', '-'), "
    "sep='|')\n"
)


def _production(tmp_path, extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "SECRET_"))}
    return subprocess.run(
        [sys.executable, "-m", "gonghui.manage", "shell", "-v", "0", "-c",
         _HEADERS.format(extra=extra)],
        env={
            **keep, **PRODUCTION, "GONGHUI_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'headers.sqlite3'}", **env,
        },
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_production_redirects_plain_http_to_https(tmp_path):
    result = _production(tmp_path, "{}")

    status, location, _hsts = result.stdout.strip().split("|")
    assert (status, location) == ("301", "https://localhost/healthz"), result.stderr


def test_production_sends_hsts_over_https_as_the_proxy_reports_it(tmp_path):
    result = _production(tmp_path, "{'HTTP_X_FORWARDED_PROTO': 'https'}")

    status, _location, hsts = result.stdout.strip().split("|")
    assert status == "200", result.stderr
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_the_proxy_header_is_configurable(tmp_path):
    result = _production(
        tmp_path,
        "{'HTTP_X_FORWARDED_SSL': 'on'}",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on",
    )

    assert result.stdout.strip().split("|")[0] == "200", result.stderr


def test_a_malformed_proxy_header_setting_is_an_error(tmp_path):
    result = _production(tmp_path, "{}", SECURE_PROXY_SSL_HEADER="https")

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr
