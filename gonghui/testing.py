"""Helpers the test suites of every app share (fixtures live in gonghui/conftest.py)."""

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.capabilities import two_factor_required
from gonghui.accounts.models import User
from gonghui.accounts.services import api_token_create

PASSWORD = "correct-horse-battery-9"


class OneIterationPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The tests' password hasher (gonghui/conftest.py): production's PBKDF2-SHA256, stored in
    the same form, at one iteration instead of a million (0.3 s of CPU per password set or
    checked, and the suite sets and checks thousands). Any process verifies these hashes: the
    iteration count is part of each one."""

    iterations = 1


TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex


def totp_device(user: User) -> Any:
    """The user's confirmed authenticator, created with TOTP_KEY when they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="test phone", key=TOTP_KEY, confirmed=True
    )


def totp_code(device: Any) -> str:
    """A code the device accepts now: the current one, or the next if that was used already
    (a code is accepted once; one step ahead is within the tolerance)."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    return f"{hotp(device.bin_key, max(now, device.last_t + 1), digits=device.digits):06d}"


def logged_in(user: User, *, verified: bool = True) -> Client:
    """A client logged in as `user`, speaking the language the test has active (the switch's
    cookie), so a test under `translation.override("en")` reads English pages.

    A user whose role requires two-factor login, or who has an authenticator, gets a session
    confirmed with it (created when missing), as after a real login; `verified=False` leaves
    the session at the password step.
    """
    client = Client()
    client.force_login(user)
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if verified and (enrolled or two_factor_required(user)):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = translation.get_language()
    return client


def log_in_browser(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page in Playwright, answering the second-factor step when the
    account has (or its role requires) an authenticator."""
    user = User.objects.get(username=username)
    device = totp_device(user) if two_factor_required(user) else None
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].w-100")
    if device is not None:
        page.fill("#id_code", totp_code(device))
        page.click("button[type=submit].w-100")


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
