"""Errors answer with the site's own pages, in the user's language, never Django's bare ones."""

import json

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from gonghui.testing import api_client, logged_in


def test_a_refused_action_shows_the_reason_on_the_sites_403_page(street_officer):
    response = logged_in(street_officer).get("/accounts/staff/")
    body = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in body
    assert "您的角色无权管理工作人员账号" in body


def test_the_403_page_speaks_english_when_chosen(street_officer):
    with translation.override("en"):
        response = logged_in(street_officer).get("/accounts/staff/")
    assert "Your role may not manage staff accounts." in response.content.decode()


def test_an_unknown_address_shows_the_sites_404_page(db):
    response = Client().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="not-found"' in body
    assert "页面不存在" in body


def test_a_server_error_page_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


def test_a_server_error_page_is_the_sites_own(db):
    response = server_error(RequestFactory().get("/"))
    assert 'data-testid="server-error"' in response.content.decode()


@pytest.mark.django_db
def test_an_api_request_with_an_unknown_host_is_refused_in_json(street_officer):
    response = api_client(street_officer).get("/api/v1/members", HTTP_HOST="6%zc$3}<")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "Host" in json.loads(response.content)["detail"]


def test_a_page_asked_for_under_an_unknown_host_shows_the_sites_400_page(db):
    response = Client().get("/accounts/login/", HTTP_HOST="intranet.example")
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="bad-request"' in body
    assert "无法理解" in body


def test_an_unknown_api_address_is_answered_in_json(db):
    response = Client().get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["detail"]
