from unittest import mock

from django.db import connection
from django.db.utils import OperationalError
from django.test import Client


def test_healthz_answers_ok_after_querying_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_fails(db):
    # A broken database is simulated at the driver boundary, not in our code.
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
