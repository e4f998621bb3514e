"""A staff member's own account: contacts and their proof, password, second factor."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import two_factor_required
from gonghui.accounts.forms import ContactsForm, PhoneCodeForm
from gonghui.accounts.selectors import backup_codes_left, two_factor_enrolled
from gonghui.accounts.services.contacts import (
    PHONE_CODE_SESSION_KEY,
    email_link_send,
    email_verify,
    phone_code_send,
    phone_verify,
    user_contact_update,
)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    enrolled = two_factor_enrolled(user=user)
    context = {
        "account": user,
        "enrolled": enrolled,
        "required": two_factor_required(user),
        "backup_codes_left": backup_codes_left(user=user) if enrolled else 0,
        "phone_code_form": PhoneCodeForm(),
        "phone_code_pending": PHONE_CODE_SESSION_KEY in request.session,
    }
    return render(request, "accounts/account.html", context)


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ContactsForm(request.POST or None, initial={"email": user.email})
    if request.method == "POST" and form.is_valid():
        try:
            user_contact_update(actor=user, user=user, request=request, **form.contact_values())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved. A changed contact counts once you verify it."))
            return redirect("accounts:account")
    return render(request, "accounts/contacts.html", {"form": form, "account": user})


def _run(request: HttpRequest, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("accounts:account")


@login_required
@require_POST
def email_send(request: HttpRequest) -> HttpResponse:
    return _run(
        request,
        lambda: email_link_send(user=request.user, request=request),
        _("A verification link was sent to your e-mail address."),
    )


@login_required
def email_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    return _run(
        request,
        lambda: email_verify(user=request.user, token=token, request=request),
        _("Your e-mail address is verified."),
    )


@login_required
@require_POST
def phone_send(request: HttpRequest) -> HttpResponse:
    return _run(
        request,
        lambda: phone_code_send(user=request.user, session=request.session),
        _("A code was sent to your verified e-mail address."),
    )


@login_required
@require_POST
def phone_verify_view(request: HttpRequest) -> HttpResponse:
    form = PhoneCodeForm(request.POST)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    return _run(
        request,
        lambda: phone_verify(
            user=request.user, session=request.session, code=code, request=request
        ),
        _("Your mobile number is verified."),
    )
