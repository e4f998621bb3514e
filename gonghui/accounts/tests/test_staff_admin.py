"""Separation of duties: the system administrator manages accounts, the security administrator
roles, second factors, lockouts and keys, the auditor only reads the audit log; none can do
another's work, business roles none of it, and nobody changes their own role."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.capabilities import Capability, can
from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.testing import PASSWORD, logged_in, totp_device

# What each administrator does, as (url name, method, data). `pk` is the target account's.
SYSTEM_ADMIN_ACTIONS = [
    ("accounts:staff_create", "get", None),
    ("accounts:staff_create", "post", {"username": "new", "scope_org_code": "110101"}),
    ("accounts:staff_edit", "get", None),
    ("accounts:staff_edit", "post", {"scope_org_code": "110101", "last_name": "改"}),
    ("accounts:staff_active", "post", {"active": "0"}),
    ("accounts:staff_password_link", "post", {}),
]
SECURITY_ADMIN_ACTIONS = [
    ("accounts:staff_role", "post", {"role": Role.FEDERATION_ADMIN}),
    ("accounts:staff_2fa_reset", "post", {}),
    ("accounts:staff_unlock", "post", {}),
    ("accounts:lockouts", "get", None),
    ("accounts:address_unlock", "post", {"address": "10.9.9.9"}),
    ("accounts:keys", "get", None),
]
ON_ACCOUNT = {
    "accounts:staff_edit",
    "accounts:staff_active",
    "accounts:staff_password_link",
    "accounts:staff_role",
    "accounts:staff_2fa_reset",
    "accounts:staff_unlock",
    "accounts:staff_detail",
}
BUSINESS_ROLES = [
    Role.FEDERATION_ADMIN,
    Role.OFFICER,
    Role.APPEAL_HANDLER,
    Role.LAWYER,
    Role.READONLY,
]


def _call(user, name, method, data, target):
    url = reverse(name, args=[target.pk]) if name in ON_ACCOUNT else reverse(name)
    client = logged_in(user)
    return client.get(url) if method == "get" else client.post(url, data or {})


def _changes_nothing(target):
    before = User.objects.filter(pk=target.pk).values().get()
    return lambda: User.objects.filter(pk=target.pk).values().get() == before


@pytest.fixture
def target(street_officer):
    """An account inside the administrators' district, with a second factor."""
    totp_device(street_officer)
    return street_officer


@pytest.mark.parametrize(("name", "method", "data"), SECURITY_ADMIN_ACTIONS)
def test_the_system_administrator_is_refused_the_security_administrators_work(
    system_admin, target, name, method, data
):
    unchanged = _changes_nothing(target)
    assert _call(system_admin, name, method, data, target).status_code == 403
    assert unchanged()
    assert TOTPDevice.objects.filter(user=target).exists()


@pytest.mark.parametrize(("name", "method", "data"), SYSTEM_ADMIN_ACTIONS)
def test_the_security_administrator_is_refused_the_system_administrators_work(
    security_admin, target, name, method, data
):
    unchanged = _changes_nothing(target)
    assert _call(security_admin, name, method, data, target).status_code == 403
    assert unchanged()
    assert not User.objects.filter(username="new").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [*SYSTEM_ADMIN_ACTIONS, *SECURITY_ADMIN_ACTIONS, ("accounts:staff", "get", None)],
)
def test_the_auditor_is_refused_every_administrative_action(auditor, target, name, method, data):
    unchanged = _changes_nothing(target)
    assert _call(auditor, name, method, data, target).status_code == 403
    assert unchanged()


@pytest.mark.parametrize("role", BUSINESS_ROLES)
@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        *SYSTEM_ADMIN_ACTIONS,
        *SECURITY_ADMIN_ACTIONS,
        ("accounts:staff", "get", None),
        ("accounts:staff_detail", "get", None),
    ],
)
def test_business_roles_are_refused_every_administrative_action(
    city, target, role, name, method, data
):
    user = user_create_or_update(
        username="business", scope_org=city.district, role=role, password=PASSWORD
    )
    assert _call(user, name, method, data, target).status_code == 403


@pytest.mark.parametrize("admin", ["system_admin", "security_admin"])
@pytest.mark.parametrize(
    ("name", "method", "data"),
    [(n, m, d) for n, m, d in [*SYSTEM_ADMIN_ACTIONS, *SECURITY_ADMIN_ACTIONS] if n in ON_ACCOUNT]
    + [("accounts:staff_detail", "get", None)],
)
def test_accounts_outside_the_administrators_scope_answer_404(
    request, other_district_officer, admin, name, method, data
):
    user = request.getfixturevalue(admin)
    response = _call(user, name, method, data, other_district_officer)
    assert response.status_code == 404


def test_only_the_auditor_may_read_the_audit_log(city):
    readers = [
        role
        for role in Role
        if can(
            user_create_or_update(
                username=f"u_{role}", scope_org=city.city, role=role, password=PASSWORD
            ),
            Capability.VIEW_AUDIT,
        )
    ]
    assert readers == [Role.AUDITOR]


# --- what the system administrator does ------------------------------------------------------


def test_the_system_administrator_creates_a_read_only_account_and_its_owner_gets_a_link(
    system_admin, city, mailing
):
    with mailing():
        response = logged_in(system_admin).post(
            reverse("accounts:staff_create"),
            {
                "username": "li_na",
                "last_name": "李",
                "first_name": "娜",
                "scope_org_code": city.street.code,
                "email": "li.na@example.cn",
                "phone": "13912345678",
            },
        )
    account = User.objects.get(username="li_na")
    assert response["Location"] == reverse("accounts:staff_detail", args=[account.pk])
    assert (account.role, account.scope_org, account.phone_masked) == (
        Role.READONLY,
        city.street,
        "139****5678",
    )
    assert account.password.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert [m.to for m in mail.outbox] == [["li.na@example.cn"]]
    assert "/accounts/reset/" in mail.outbox[0].body
    created = AuditEntry.objects.get(action=AuditAction.USER_CHANGE, detail__event="created")
    assert created.actor == system_admin


def test_the_system_administrator_cannot_create_an_account_outside_the_scope(system_admin, city):
    response = logged_in(system_admin).post(
        reverse("accounts:staff_create"),
        {"username": "xi", "scope_org_code": city.other_district.code},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="xi").exists()


def test_the_system_administrator_edits_an_account_and_it_is_audited(system_admin, target, city):
    logged_in(system_admin).post(
        reverse("accounts:staff_edit", args=[target.pk]),
        {"last_name": "王", "first_name": "建华", "scope_org_code": city.community.code},
    )
    target.refresh_from_db()
    assert (target.display_name, target.scope_org) == ("王建华", city.community)
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGE)
    assert entry.detail["changes"]["scope_org"] == [city.street.code, city.community.code]


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(system_admin, target, log_in):
    session = logged_in(target)
    logged_in(system_admin).post(
        reverse("accounts:staff_active", args=[target.pk]), {"active": "0"}
    )
    assert session.get(reverse("orgs:tree")).status_code == 302
    _client, response = log_in("street_officer")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(detail__event="deactivated").exists()


def test_nobody_deactivates_their_own_account(system_admin):
    response = logged_in(system_admin).post(
        reverse("accounts:staff_active", args=[system_admin.pk]), {"active": "0"}
    )
    assert response.status_code == 403
    system_admin.refresh_from_db()
    assert system_admin.is_active


def test_the_staff_list_shows_only_the_administrators_subtree(
    system_admin, target, other_district_officer, city_admin
):
    page = logged_in(system_admin).get(reverse("accounts:staff")).content.decode()
    assert "street_officer" in page
    assert "other_district_officer" not in page
    assert "city_admin" not in page  # scoped to the city, above the district


# --- what the security administrator does ----------------------------------------------------


def test_the_security_administrator_assigns_a_role_and_it_is_audited(security_admin, target):
    logged_in(security_admin).post(
        reverse("accounts:staff_role", args=[target.pk]), {"role": Role.FEDERATION_ADMIN}
    )
    target.refresh_from_db()
    assert target.role == Role.FEDERATION_ADMIN
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert (entry.actor, entry.detail) == (
        security_admin,
        {"from": Role.OFFICER, "to": Role.FEDERATION_ADMIN},
    )


def test_nobody_changes_their_own_role(security_admin):
    response = logged_in(security_admin).post(
        reverse("accounts:staff_role", args=[security_admin.pk]), {"role": Role.FEDERATION_ADMIN}
    )
    assert response.status_code == 403
    security_admin.refresh_from_db()
    assert security_admin.role == Role.SECURITY_ADMIN


def test_a_reset_second_factor_sends_its_owner_to_enrolment(security_admin, target):
    owner = logged_in(target)
    logged_in(security_admin).post(reverse("accounts:staff_2fa_reset", args=[target.pk]))
    assert not TOTPDevice.objects.filter(user=target).exists()
    response = owner.get(reverse("orgs:tree"))
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR, detail__event="reset")
    assert entry.actor == security_admin


def test_the_security_administrator_lifts_a_lockout(security_admin, target, log_in):
    for _ in range(5):
        log_in("street_officer", "wrong-password-1")
    page = logged_in(security_admin).get(reverse("accounts:lockouts")).content.decode()
    assert "street_officer" in page
    logged_in(security_admin).post(reverse("accounts:staff_unlock", args=[target.pk]))
    assert not AccessAttempt.objects.filter(username="street_officer").exists()
    _client, response = log_in("street_officer", address="10.7.7.7")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOCKOUT, detail__event="unlocked")
    assert entry.actor == security_admin


def test_the_security_administrator_lifts_an_address_lockout(security_admin, log_in):
    for n in range(5):
        log_in(f"guess{n}", "wrong-password-1", address="10.8.8.8")
    logged_in(security_admin).post(reverse("accounts:address_unlock"), {"address": "10.8.8.8"})
    assert not AccessAttempt.objects.filter(ip_address="10.8.8.8").exists()


def test_the_security_administrator_sees_the_key_ids_but_no_key(security_admin, settings):
    page = logged_in(security_admin).get(reverse("accounts:keys")).content.decode()
    for key_id, key in settings.PII_KEYS:
        assert f"<code>{key_id}</code>" in page
        assert key.hex() not in page


def test_the_unlock_command_lifts_a_lockout_and_is_audited(target, log_in):
    from django.core.management import call_command

    for _ in range(5):
        log_in("street_officer", "wrong-password-1")
    call_command("unlock_login", "--username", "street_officer", stdout=None)
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.get(detail__event="unlocked").actor_name == "system"


def test_lockouts_older_than_the_cool_off_are_not_listed(security_admin, target):
    AccessAttempt.objects.create(
        username="street_officer", ip_address="10.1.1.1", user_agent="x", failures_since_start=5
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    page = logged_in(security_admin).get(reverse("accounts:lockouts")).content.decode()
    assert "street_officer" not in page
