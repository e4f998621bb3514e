"""Helpers the test suites of every app share (fixtures live in gonghui/conftest.py)."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import Client
from django.utils import translation

from gonghui.accounts.models import User
from gonghui.accounts.services import api_token_create

PASSWORD = "correct-horse-battery-9"


def logged_in(user: User) -> Client:
    """A client logged in as `user`, speaking the language the test has active (the switch's
    cookie), so a test under `translation.override("en")` reads English pages."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = translation.get_language()
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


def database_url() -> str:
    """The URL of the database the tests run on, for a `gonghui` subprocess to share it."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_gonghui(*args: str, **env: str) -> "subprocess.CompletedProcess[str]":
    """Run a `gonghui` command in a child process on the test database."""
    full_env = {**os.environ, "DATABASE_URL": database_url(), **env}
    return subprocess.run(
        [sys.executable, "-m", "gonghui.manage", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
