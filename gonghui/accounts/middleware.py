"""No back-office page before the second factor.

After the password, a staff member who has an authenticator must confirm the login with a
code; one whose role requires two-factor login and has none must enrol first. Until then only
the pages of that step (and logout, the language switch, password reset) answer: a GET is
redirected there, anything else (a form post, an HTMX request) gets 403 with a message. The API
authenticates each request by its bearer token, never by the session, so it is left alone.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from gonghui.accounts.capabilities import two_factor_required, two_factor_verified
from gonghui.accounts.selectors import two_factor_enrolled
from gonghui.accounts.views.two_factor import two_factor_step

OPEN = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
    }
)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated or two_factor_verified(user):
            return None
        match = request.resolver_match
        if match is None or match.view_name in OPEN or match.namespace == "api":
            return None
        if two_factor_enrolled(user=user):
            return two_factor_step(request, enrol=False)
        if two_factor_required(user):
            return two_factor_step(request, enrol=True)
        return None
