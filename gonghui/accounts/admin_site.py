"""The Django admin, closed to everyone but superusers with a two-factor verified session.

Staff accounts, roles and second factors are managed on the back-office pages, where every
change is audited and the three administrators stay apart; the admin shows accounts read-only
and cannot make superusers (`gonghui createsuperuser` on the server is the only way).
"""

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from gonghui.accounts.capabilities import two_factor_verified


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_superuser and two_factor_verified(user))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One login page for everyone: ours, with its lockout and second factor."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", "/admin/"))
