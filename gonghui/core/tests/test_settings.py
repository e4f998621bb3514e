"""Settings come from the environment and a bad value stops the program with a clear message."""

import base64
import os
import sqlite3
import subprocess
import sys

import pytest

GOOD_SECRET = "x7Gq2" * 12
PII_KEYS = {
    "GONGHUI_PII_KEYS": "k1:" + base64.b64encode(bytes(range(32))).decode(),
    "GONGHUI_PII_INDEX_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
}


def _gonghui(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"GONGHUI_ENV", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {
        k: v for k, v in os.environ.items() if k not in unset and not k.startswith("GONGHUI_PII_")
    }
    return subprocess.run(
        [sys.executable, "-m", "gonghui.manage", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "ture"), ("DATABASE_CONN_MAX_AGE", "ten"), ("GONGHUI_ENV", "prod")],
)
def test_a_bad_value_is_an_error_not_a_default(name, value):
    result = _gonghui("check", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _gonghui("check", GONGHUI_ENV="production", **PII_KEYS)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_deploy_check_prints_no_warning():
    result = _gonghui(
        "check", "--deploy", GONGHUI_ENV="production", SECRET_KEY=GOOD_SECRET, **PII_KEYS
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_personal_data_keys():
    result = _gonghui("check", GONGHUI_ENV="production", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "GONGHUI_PII_KEYS" in result.stderr


def test_a_new_embedded_database_has_16_kb_pages_and_wal(tmp_path):
    # Set before the file's first page is written; an existing file keeps its page size.
    path = tmp_path / "new.sqlite3"
    result = _gonghui("migrate", "-v0", DATABASE_URL=f"sqlite:///{path}", **PII_KEYS)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA page_size").fetchone() == (16384,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_command_starts_without_importing_the_api_framework():
    # django-ninja is not an installed app: a command or a job worker never loads it (nor
    # pydantic), about 0.15 s of every start.
    result = _gonghui(
        "shell",
        "--no-imports",
        "-c",
        "import sys; print('ninja' in sys.modules, 'pydantic' in sys.modules)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
