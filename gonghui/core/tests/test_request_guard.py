"""A NUL character in a request is refused with 400, never a server error (PostgreSQL text)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.testing import api_client, logged_in


@pytest.mark.django_db
def test_a_nul_in_an_api_query_is_refused_with_json(street_officer):
    response = api_client(street_officer).get("/api/v1/members", {"org": "110\x00101"})

    assert response.status_code == 400
    assert "NUL" in json.loads(response.content)["detail"]


@pytest.mark.django_db
def test_a_nul_in_an_api_path_is_refused(street_officer):
    response = api_client(street_officer).get("/api/v1/orgs/110%00101")

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_escaped_in_a_json_body_is_refused(street_officer):
    response = api_client(street_officer).post(
        "/api/v1/appeals", data='{"name": "a\\u0000b"}', content_type="application/json"
    )

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_in_a_portal_search_is_refused(db):
    response = Client().get("/portal/employers/", {"q": "北京\x00"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_uploaded_files_may_hold_nul_bytes(street_officer):
    upload = SimpleUploadedFile("members.xlsx", b"PK\x03\x04\x00\x00 not really a spreadsheet")

    response = logged_in(street_officer).post("/members/imports/", {"file": upload})

    assert response.status_code != 400
