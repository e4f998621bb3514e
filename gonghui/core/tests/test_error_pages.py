"""Errors answer with the site's own pages, in the user's language, never Django's bare ones."""

from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from gonghui.testing import logged_in


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
