"""Second factors: a TOTP authenticator app plus ten single-use backup codes (django-otp).

Enrolment confirms the app with one code before it counts, then shows the backup codes once.
Removing or renewing them needs a fresh code, so a session left open cannot be used to take
the second factor away. The security administrator may reset another person's devices (they
enrol again at their next login); nobody else can, and nobody resets their own that way.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.models import User
from gonghui.accounts.services.access import require_not_self, require_over
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction

BACKUP_CODES = 10


def normalize_code(raw: str) -> str:
    """Codes as typed: `123 456`, `abcd-efgh`, upper case backup codes."""
    return "".join(raw.split()).replace("-", "").lower()


def totp_device_pending(*, user: User) -> Any:
    """The authenticator being enrolled: the unconfirmed TOTP device, created on first ask."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _audit(user: User, event: str, request: HttpRequest | None, **detail: Any) -> None:
    audit_record(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        target=user,
        detail={"event": event, **detail},
        request=request,
    )


@transaction.atomic
def totp_device_confirm(
    *, user: User, device: Any, code: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm the enrolled authenticator with one of its codes; returns the new backup codes,
    to show once. ValidationError when the code does not match."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start the set-up again."))
    if not device.verify_token(normalize_code(code)):
        raise ValidationError(_("This code does not match: check the time on your phone."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_backup_codes(user)
    _audit(user, "enrolled", request)
    return codes


def _matching_device(user: User, code: str) -> Any:
    """The confirmed device that accepts `code` (digits: the app; else a backup code, which is
    then used up), or None. Each device throttles its own wrong guesses."""
    model = TOTPDevice if code.isdigit() else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
        if device.verify_token(code):
            return device
    return None


def two_factor_check(*, user: User, code: str, request: HttpRequest | None = None) -> Any:
    """The device that accepts `code` for this login, or None; both are audited."""
    code = normalize_code(code)
    with transaction.atomic():
        device = _matching_device(user, code)
        if device is None:
            audit_record(
                actor=user,
                action=AuditAction.LOGIN_FAILED,
                target=user,
                detail={"step": "two_factor"},
                request=request,
            )
            return None
        method = "totp" if isinstance(device, TOTPDevice) else "backup_code"
        detail: dict[str, Any] = {"method": method}
        if method == "backup_code":
            detail["backup_codes_left"] = device.token_set.count()
        _audit(user, "verified", request, **detail)
        return device


def _recheck(user: User, code: str, request: HttpRequest | None) -> None:
    # A wrong code must still count against the device's throttle, so it is checked (and
    # committed) before the change's own transaction, which would roll it back on error.
    if two_factor_check(user=user, code=code, request=request) is None:
        raise ValidationError(_("This code is not valid."))


def two_factor_remove(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    """Remove one's own authenticator and backup codes, after confirming with a fresh code."""
    _recheck(user, code, request)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _audit(user, "removed", request)


def backup_codes_renew(*, user: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """Replace one's backup codes with ten new ones (shown once), after a fresh code."""
    _recheck(user, code, request)
    with transaction.atomic():
        codes = _new_backup_codes(user)
        _audit(user, "backup_codes_renewed", request)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """The security administrator removes another person's second factors (a lost phone)."""
    require_over(actor, user, Capability.MANAGE_ROLES, _("Your role may not reset second factors."))
    require_not_self(
        actor, user, _("Remove your own authenticator on your account page, with a code.")
    )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.TWO_FACTOR,
        target=user,
        detail={"event": "reset"},
        request=request,
    )
