"""The Django admin cannot bypass the audited back-office pages."""

from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Role, User
from gonghui.testing import PASSWORD, logged_in


def _superuser() -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def test_administrators_who_are_not_superusers_do_not_reach_the_admin(system_admin, security_admin):
    for user in (system_admin, security_admin):
        user.is_staff = True
        user.save()
        response = logged_in(user).get("/admin/", follow=True)
        assert response.status_code == 403


def test_a_superuser_reaches_the_admin_only_after_the_second_factor(db):
    root = _superuser()
    assert (
        logged_in(root, verified=False)
        .get("/admin/")["Location"]
        .startswith(reverse("accounts:two_factor_setup"))
    )
    assert logged_in(root).get("/admin/").status_code == 200


def test_the_admin_shows_staff_accounts_read_only(street_officer):
    client = logged_in(_superuser())
    change_url = reverse("admin:accounts_user_change", args=[street_officer.pk])
    assert client.get(change_url).status_code == 200
    client.post(change_url, {"role": Role.FEDERATION_ADMIN, "is_superuser": "on"})
    street_officer.refresh_from_db()
    assert (street_officer.role, street_officer.is_superuser) == (Role.OFFICER, False)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_second_factors_are_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_the_admin_login_page_sends_to_the_one_login_page(db):
    from django.test import Client

    response = Client().get("/admin/login/?next=/admin/")
    assert response["Location"].startswith(reverse("login"))
