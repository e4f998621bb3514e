"""The second factor: the step after the password, enrolment, removal and backup codes."""

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode, urlsplit

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.accounts.capabilities import two_factor_required, two_factor_verified
from gonghui.accounts.forms import CodeForm, EnrolCodeForm
from gonghui.accounts.selectors import two_factor_enrolled
from gonghui.accounts.services.two_factor import (
    backup_codes_renew,
    totp_device_confirm,
    totp_device_pending,
    two_factor_check,
    two_factor_remove,
)


def _safe(request: HttpRequest, url: str) -> str | None:
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and ok else None


def _next(request: HttpRequest) -> str:
    return _safe(request, request.POST.get("next") or request.GET.get("next", "")) or reverse(
        "home"
    )


def _current_page(request: HttpRequest) -> str:
    """The page the user is on, to come back to after the second factor."""
    current = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    parts = urlsplit(current)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return (_safe(request, current) and path) or reverse("home")


def _step_url(*, enrol: bool, next_url: str) -> str:
    name = "accounts:two_factor_setup" if enrol else "accounts:two_factor_verify"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def two_factor_refusal(request: HttpRequest, message: str) -> HttpResponse:
    """403 with `message` and the way to the second factor; HTMX is sent there directly."""
    enrol = not two_factor_enrolled(user=request.user)  # type: ignore[arg-type]
    url = _step_url(enrol=enrol, next_url=_current_page(request))
    response = render(
        request,
        "accounts/two_factor_needed.html",
        {"message": message, "url": url, "enrol": enrol},
        status=403,
    )
    if request.headers.get("HX-Request") == "true":
        response["HX-Redirect"] = url
    return response


def two_factor_step(request: HttpRequest, *, enrol: bool) -> HttpResponse:
    """Send an unconfirmed session to the second factor (TwoFactorMiddleware)."""
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return redirect(_step_url(enrol=enrol, next_url=request.get_full_path()))
    if enrol:
        message = _("Your role requires two-factor login: set up your authenticator app first.")
    else:
        message = _("Confirm your login with the code from your authenticator app first.")
    return two_factor_refusal(request, message)


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _next(request)
    if two_factor_verified(user):
        return redirect(next_url)
    if not two_factor_enrolled(user=user):
        return (
            redirect(_step_url(enrol=True, next_url=next_url))
            if two_factor_required(user)
            else redirect(next_url)
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor_check(user=user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "code",
            _("This code is not valid. Check the time on your phone, or use a backup code."),
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _qr_svg(url: str) -> str:
    # Inline markup we generate ourselves from the device's key: no image request, no data: URI.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, border=2))


def _grouped(secret: bytes) -> str:
    text = secret.decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = _next(request)
    if two_factor_enrolled(user=user):
        if two_factor_verified(user):
            return redirect(next_url)
        return redirect(_step_url(enrol=False, next_url=next_url))
    device = totp_device_pending(user=user)
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
    context = {
        "form": form,
        "next": next_url,
        "qr": _qr_svg(device.config_url),
        "secret": _grouped(b32encode(device.bin_key)),
        "required": two_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_POST
def two_factor_remove_view(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a code to confirm."))
        two_factor_remove(user=request.user, code=form.cleaned_data["code"], request=request)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your authenticator app and backup codes were removed."))
    return redirect("accounts:account")


@never_cache
@login_required
@require_POST
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a code to confirm."))
        codes = backup_codes_renew(
            user=request.user,  # type: ignore[arg-type]
            code=form.cleaned_data["code"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:account")
    context = {"codes": codes, "next": reverse("accounts:account")}
    return render(request, "accounts/backup_codes.html", context)
