"""`make serve` for real: gunicorn (gthread) in production mode on the test database.

It answers /healthz, serves a collected static file under its hashed name, compressed and
cacheable for a year, and its access log holds no query string (searches carry ID numbers).
"""

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonghui.testing import database_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture(scope="module")
def server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """One server for the module: collecting the static files takes a while."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DEBUG"))},
        "GONGHUI_ENV": "production",
        "SECRET_KEY": "x7Gq2" * 12,
        "GONGHUI_PII_KEYS": "k1:" + base64.b64encode(bytes(range(32))).decode(),
        "GONGHUI_PII_INDEX_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
        "GONGHUI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
        "GONGHUI_BIND": f"127.0.0.1:{port}",
        "GONGHUI_WEB_WORKERS": "1",
        "GONGHUI_WEB_THREADS": "2",
    }
    manage = [sys.executable, "-m", "gonghui.manage"]
    collected = subprocess.run(
        [*manage, "collectstatic", "--no-input", "-v0"], env=env, capture_output=True, text=True
    )
    assert collected.returncode == 0, collected.stderr
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:gonghui.gunicorn_conf"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_health_check_answers(server):
    base, _var = server

    status, _headers, body = _get(f"{base}/healthz")

    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_static_files_are_hashed_compressed_and_cached(server):
    base, var = server
    manifest = json.loads((var / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["gonghui/gonghui.css"]
    assert hashed != "gonghui/gonghui.css"

    status, headers, _body = _get(f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"]


def test_the_access_log_has_no_query_string(server):
    base, var = server
    _get(f"{base}/healthz?q=13912345678")
    time.sleep(0.5)  # the log line is written after the response

    log = (var / "gunicorn.log").read_text()
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "13912345678" not in log
