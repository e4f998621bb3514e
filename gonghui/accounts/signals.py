"""Logins, failed logins, logouts and lockouts go to the audit log.

Django sends the login signals; django-axes sends `user_locked_out`. Axes marks the request:
`axes_locked_out` when a lockout refused it, `axes_failures_since_start` (None until counted)
when this failure was counted, so a refused attempt is not mistaken for a new lockout.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from gonghui.accounts.models import User
from gonghui.accounts.selectors import lockout_ends_at
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction


def _account(username: Any) -> User | None:
    return User.objects.filter(username=username).first() if isinstance(username, str) else None


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, target=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, target=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The typed name is kept only when it names an account: staff sometimes type their
    # password into the username field.
    account = _account(credentials.get("username"))
    refused = bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        target=account,
        detail={
            "username": account.username if account else "",
            "refused_while_locked_out": refused,
        },
        request=request,
    )


@receiver(user_locked_out)
def audit_lockout(
    sender: Any, request: HttpRequest, username: Any, ip_address: Any, **kwargs: Any
) -> None:
    if getattr(request, "axes_failures_since_start", None) is None:
        return  # a refused attempt during a lockout: audit_login_failed recorded it
    account = _account(username)
    ends = lockout_ends_at(username=username, address=ip_address)
    audit_record(
        actor=None,
        action=AuditAction.LOCKOUT,
        target=account,
        detail={
            "username": account.username if account else "",
            "address": ip_address or "",
            "failures": request.axes_failures_since_start,  # type: ignore[attr-defined]
            "until": ends.isoformat() if ends else "",
        },
        request=request,
    )
