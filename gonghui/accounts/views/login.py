"""Login, the lockout page, and the password flows (Django's views, our rules and audit)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from gonghui.accounts.forms import VerifiedAddressPasswordResetForm
from gonghui.accounts.selectors import lockout_ends_at
from gonghui.accounts.services.passwords import password_change_record
from gonghui.core.ratelimit import client_address, rate_limited


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers instead of the login form during a lockout: when to retry."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    ends = lockout_ends_at(username=username, address=client_address(request))
    return render(request, "accounts/lockout.html", {"ends_at": ends}, status=429)


login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()


def _email_key(raw: str) -> str:
    return raw.strip().lower()


# Each request may send a mail: limited per address and per e-mail address asked for
# (services.passwords adds at most one link per account every five minutes).
password_reset = rate_limited("password_reset", keys={"email": _email_key})(
    auth_views.PasswordResetView.as_view(
        form_class=VerifiedAddressPasswordResetForm,
        template_name="accounts/password_reset.html",
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(user=form.user, through_link=True, request=self.request)
        return response


password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(user=form.user, through_link=False, request=self.request)
        messages.success(self.request, _("Your password was changed."))
        return response
