"""Fixtures of the accounts tests: logging in through the real login page."""

import functools
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.testing import PASSWORD

LogIn = Callable[..., tuple[Client, object]]


@pytest.fixture
def log_in() -> LogIn:
    """`log_in(username, password=PASSWORD, address=…, client=None)` posts the login form and
    returns the client and the response."""

    def post(
        username: str,
        password: str = PASSWORD,
        address: str = "10.1.1.1",
        client: Client | None = None,
    ) -> tuple[Client, object]:
        client = client or Client()
        client.cookies["django_language"] = "en"
        response = client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )
        return client, response

    return post


@pytest.fixture
def viewer(city) -> User:
    """A read-only user of the street: two-factor login is optional for this role."""
    return user_create_or_update(
        username="viewer", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )


@pytest.fixture
def mailing(django_capture_on_commit_callbacks):
    """`with mailing(): …` sends the mails that step queued for after its commit (a test runs
    inside one transaction that never commits)."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)
