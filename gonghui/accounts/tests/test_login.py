"""Login safety: lockout after failed passwords, its page and audit, passwords, idle timeout."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from gonghui.core.models import AuditAction, AuditEntry
from gonghui.testing import PASSWORD, logged_in

WRONG = "not-the-password-1"


def _cool_off_passes() -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))


def _logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_four_wrong_passwords_only_show_the_form_again(street_officer, log_in):
    for _ in range(4):
        _client, response = log_in("street_officer", WRONG)
        assert response.status_code == 200
        assert response.context["form"].errors


def test_the_fifth_wrong_password_locks_the_account(street_officer, log_in):
    for _ in range(4):
        log_in("street_officer", WRONG)
    _client, response = log_in("street_officer", WRONG)
    assert response.status_code == 429
    assert "Login locked" in response.content.decode()


def test_six_wrong_passwords_lock_out_the_right_password_until_the_cool_off_ends(
    street_officer, log_in
):
    for _ in range(6):
        log_in("street_officer", WRONG)
    client, refused = log_in("street_officer", PASSWORD)
    assert refused.status_code == 429
    assert _logged_in_as(client) is None
    _cool_off_passes()
    client, accepted = log_in("street_officer", PASSWORD)
    assert accepted.status_code == 302
    assert _logged_in_as(client) == str(street_officer.pk)


def test_the_lockout_is_in_the_audit_log_once(street_officer, log_in):
    for _ in range(6):
        log_in("street_officer", WRONG, address="10.2.2.2")
    log_in("street_officer", PASSWORD, address="10.2.2.2")
    lockout = AuditEntry.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.target_id == str(street_officer.pk)
    assert lockout.detail["username"] == "street_officer"
    assert lockout.detail["address"] == "10.2.2.2"
    assert lockout.detail["failures"] == 5
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, target_id=street_officer.pk)
    assert failed.count() == 7
    refused = [e.detail["refused_while_locked_out"] for e in failed.order_by("pk")]
    assert refused == [False] * 5 + [True] * 2


def test_the_lockout_page_says_when_to_try_again(street_officer, log_in):
    for _ in range(5):
        log_in("street_officer", WRONG)
    _client, response = log_in("street_officer", PASSWORD)
    last = AccessAttempt.objects.aggregate(last=Max("attempt_time"))["last"]
    retry = timezone.localtime(last + timedelta(minutes=15))
    assert f"Try again after {retry:%Y-%m-%d %H:%M}." in response.content.decode()


def test_trying_during_the_lockout_does_not_extend_it(street_officer, log_in):
    for _ in range(5):
        log_in("street_officer", WRONG)
    before = list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start"))
    log_in("street_officer", WRONG)
    log_in("street_officer", PASSWORD)
    assert list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start")) == before


def test_one_address_is_locked_after_five_failures_on_any_accounts(
    street_officer, district_officer, log_in
):
    for n in range(5):
        log_in(f"someone{n}", WRONG, address="10.3.3.3")
    _client, refused = log_in("district_officer", PASSWORD, address="10.3.3.3")
    assert refused.status_code == 429
    _client, accepted = log_in("district_officer", PASSWORD, address="10.4.4.4")
    assert accepted.status_code == 302


def test_one_username_is_locked_after_five_failures_from_any_addresses(street_officer, log_in):
    for n in range(5):
        log_in("street_officer", WRONG, address=f"10.5.5.{n + 1}")
    _client, refused = log_in("street_officer", PASSWORD, address="10.6.6.6")
    assert refused.status_code == 429


def test_the_address_behind_a_trusted_proxy_is_the_one_locked(
    street_officer, log_in, settings, client
):
    settings.TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "street_officer", "password": WRONG},
            REMOTE_ADDR="192.168.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_logins_and_logouts_are_audited(viewer, log_in):
    client, _response = log_in("viewer")
    client.post(reverse("logout"))
    actions = list(AuditEntry.objects.filter(actor=viewer).values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_a_failed_login_with_an_unknown_name_does_not_keep_what_was_typed(db, log_in):
    log_in("Secret-Password-typed-as-name", WRONG)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert "Secret-Password" not in str(entry.detail)
    assert entry.target_id == ""


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("Shorter9!", False), ("1234567890", False), ("password123", False), ("Lotus-Pond-57", True)],
)
def test_a_new_password_needs_ten_characters_and_must_not_be_common(viewer, password, accepted):
    client = logged_in(viewer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert (response.status_code == 302) is accepted


def test_a_password_change_is_audited(viewer):
    new = "Lotus-Pond-57"
    logged_in(viewer).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGE)
    assert entry.detail == {"event": "password_changed"}


def test_every_request_keeps_the_session_alive_for_30_minutes(street_officer):
    client = logged_in(street_officer)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("orgs:tree")).status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_a_session_idle_for_30_minutes_is_over(street_officer):
    client = logged_in(street_officer)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
