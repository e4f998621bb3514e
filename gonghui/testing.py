"""Helpers the test suites of every app share (fixtures live in gonghui/conftest.py)."""

from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.services import api_token_create

PASSWORD = "correct-horse-battery-9"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})
