"""Two-factor login: who must use it, enrolment, the code after the password, backup codes,
and personal data that stays closed to a session without the second factor."""

import re
from base64 import b32encode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.capabilities import TwoFactorRequired, two_factor_required
from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.members.services.registry import member_reveal
from gonghui.members.tests.factories import MemberFactory, make_id_number
from gonghui.testing import PASSWORD, api_client, logged_in, totp_code, totp_device


def _code_for(device) -> str:
    """The current code of a device being enrolled (no code of it was used yet)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{hotp(device.bin_key, totp.t(), digits=device.digits):06d}"


def _verify(client: Client, code: str, next_url: str = "/orgs/"):
    return client.post(reverse("accounts:two_factor_verify"), {"code": code, "next": next_url})


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.FEDERATION_ADMIN, True),
        (Role.OFFICER, True),  # reveals personal data
        (Role.SYSTEM_ADMIN, True),
        (Role.SECURITY_ADMIN, True),
        (Role.APPEAL_HANDLER, False),
        (Role.LAWYER, False),
        (Role.AUDITOR, False),
        (Role.READONLY, False),
    ],
)
def test_two_factor_login_is_required_for_admins_and_personal_data_roles(city, role, required):
    user = user_create_or_update(
        username="someone", scope_org=city.street, role=role, password=PASSWORD
    )
    assert two_factor_required(user) is required


def test_after_the_password_a_required_role_without_an_app_must_enrol_first(street_officer, log_in):
    client, response = log_in("street_officer")
    assert response.status_code == 302
    page = client.get(reverse("members:list"))
    assert page.status_code == 302
    assert page["Location"] == reverse("accounts:two_factor_setup") + "?next=%2Fmembers%2F"


def test_enrolment_shows_the_qr_code_as_inline_svg_and_the_key_as_text(street_officer, log_in):
    client, _response = log_in("street_officer")
    page = client.get(reverse("accounts:two_factor_setup"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=street_officer, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    assert re.search(r'data-testid="totp-qr"[^>]*><svg ', html)
    assert "data:" not in html.split('data-testid="totp-qr"')[1].split("</div>")[0]
    assert "<img" not in html
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)[1]
    assert shown.replace(" ", "") == secret


def test_confirming_the_app_shows_ten_backup_codes_once_and_opens_the_back_office(
    street_officer, log_in
):
    client, _response = log_in("street_officer")
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=street_officer)
    response = client.post(
        reverse("accounts:two_factor_setup"), {"code": _code_for(device), "next": "/members/"}
    )
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("members:list")).status_code == 200
    again = client.get(reverse("accounts:two_factor_setup"))
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR, detail__event="enrolled")


def test_a_wrong_code_does_not_enrol(street_officer, log_in):
    client, _response = log_in("street_officer")
    client.get(reverse("accounts:two_factor_setup"))
    response = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=street_officer, confirmed=True).exists()
    assert client.get(reverse("members:list")).status_code == 302


def test_a_login_with_an_app_is_confirmed_with_its_code(street_officer, log_in):
    device = totp_device(street_officer)
    client, _response = log_in("street_officer")
    page = client.get(reverse("orgs:tree"))
    assert page["Location"].startswith(reverse("accounts:two_factor_verify"))
    response = _verify(client, totp_code(device))
    assert response["Location"] == "/orgs/"
    assert client.get(reverse("orgs:tree")).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR)
    assert entry.detail == {"event": "verified", "method": "totp"}


def test_a_code_is_accepted_only_once(street_officer, log_in):
    device = totp_device(street_officer)
    code = totp_code(device)
    first, _response = log_in("street_officer")
    _verify(first, code)
    second, _response = log_in("street_officer")
    response = _verify(second, code)
    assert response.status_code == 200
    assert "not valid" in response.content.decode()


def test_a_wrong_code_is_refused_and_audited(street_officer, log_in):
    totp_device(street_officer)
    client, _response = log_in("street_officer")
    response = _verify(client, "123456")
    assert response.status_code == 200
    assert client.get(reverse("orgs:tree")).status_code == 302
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.detail == {"step": "two_factor"}


def test_a_backup_code_works_once(street_officer, log_in):
    client, _response = log_in("street_officer")
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=street_officer)
    page = client.post(reverse("accounts:two_factor_setup"), {"code": _code_for(device)})
    code = re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode())[0]
    first, _response = log_in("street_officer")
    assert _verify(first, code.upper())["Location"] == "/orgs/"
    second, _response = log_in("street_officer")
    assert _verify(second, code).status_code == 200
    assert StaticToken.objects.filter(device__user=street_officer).count() == 9


def test_an_optional_role_logs_in_with_the_password_alone(viewer, log_in):
    client, _response = log_in("viewer")
    assert client.get(reverse("orgs:tree")).status_code == 200


def test_an_optional_role_that_enrolled_confirms_its_logins(viewer, log_in):
    device = totp_device(viewer)
    client, _response = log_in("viewer")
    assert client.get(reverse("orgs:tree")).status_code == 302
    _verify(client, totp_code(device))
    assert client.get(reverse("orgs:tree")).status_code == 200


def test_an_unconfirmed_session_gets_403_and_the_way_to_the_code_on_a_post(street_officer):
    totp_device(street_officer)
    client = logged_in(street_officer, verified=False)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("members:imports"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor_verify"))


def test_removing_the_app_needs_a_current_code(viewer):
    device = totp_device(viewer)
    client = logged_in(viewer)
    client.post(reverse("accounts:two_factor_remove"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=viewer).exists()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next one wait a second
    client.post(reverse("accounts:two_factor_remove"), {"code": totp_code(device)})
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR, detail__event="removed")


def test_a_required_role_that_removes_its_app_must_enrol_again(street_officer):
    device = totp_device(street_officer)
    client = logged_in(street_officer)
    client.post(reverse("accounts:two_factor_remove"), {"code": totp_code(device)})
    response = client.get(reverse("orgs:tree"))
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_new_backup_codes_replace_the_old_ones(viewer):
    device = totp_device(viewer)
    client = logged_in(viewer)
    response = client.post(reverse("accounts:backup_codes"), {"code": totp_code(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)


# --- personal data stays closed without the second factor ------------------------------------


@pytest.fixture
def member(city):
    return MemberFactory(name="王芳", org=city.community, id_number=make_id_number(41))


def test_a_reveal_without_the_second_factor_is_refused_with_403_and_a_message(
    member, street_officer
):
    client = logged_in(street_officer, verified=False)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("members:reveal", args=[member.pk]), {"field": "id_number", "reason": "核对"}
    )
    assert response.status_code == 403
    assert make_id_number(41) not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_reveal_view_refuses_even_without_the_middleware(member, street_officer, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "gonghui.accounts.middleware.TwoFactorMiddleware"
    ]
    totp_device(street_officer)
    client = logged_in(street_officer, verified=False)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("members:reveal", args=[member.pk]), {"field": "id_number", "reason": "核对"}
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "authenticator code before opening personal data" in text
    assert make_id_number(41) not in text


def test_the_reveal_service_refuses_a_user_without_a_confirmed_session(member, street_officer):
    with pytest.raises(TwoFactorRequired):
        member_reveal(user=street_officer, member=member, field="id_number", reason="核对")


def test_an_unmasked_export_without_the_second_factor_is_refused(member, city_admin, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "gonghui.accounts.middleware.TwoFactorMiddleware"
    ]
    client = logged_in(city_admin, verified=False)
    response = client.post(reverse("members:export"), {"reason": "年度核查", "format": "csv"})
    assert response.status_code == 403
    assert make_id_number(41) not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_api_token_of_a_role_requiring_two_factor_keeps_working(city_admin):
    assert api_client(city_admin).get("/api/v1/orgs").status_code == 200


def test_the_fixture_users_of_other_tests_are_confirmed_by_default(street_officer, member):
    response = logged_in(street_officer).post(
        reverse("members:reveal", args=[member.pk]), {"field": "id_number", "reason": "核对"}
    )
    assert make_id_number(41) in response.content.decode()


def test_a_superuser_must_use_two_factor_login(db):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    assert two_factor_required(admin)
