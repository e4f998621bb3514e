from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gonghui.accounts.models import ApiToken


def test_create_token_prints_a_token_that_authenticates(street_officer):
    out = StringIO()
    call_command("create_token", "street_officer", stdout=out)
    token = out.getvalue().strip()
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/orgs")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=street_officer).key_hash != token  # only a hash is stored


def test_create_token_for_unknown_user_fails(db):
    with pytest.raises(CommandError):
        call_command("create_token", "nobody")


def test_token_of_a_deactivated_user_is_refused(street_officer):
    out = StringIO()
    call_command("create_token", "street_officer", stdout=out)
    street_officer.is_active = False
    street_officer.save()
    client = Client(headers={"Authorization": f"Bearer {out.getvalue().strip()}"})
    assert client.get("/api/v1/orgs").status_code == 401
