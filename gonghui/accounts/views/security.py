"""The security administrator's pages that belong to no account: lockouts and keys."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors
from gonghui.accounts.capabilities import Capability, can
from gonghui.accounts.forms import AddressForm
from gonghui.accounts.services.lockouts import lockout_clear


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_ROLES):
        raise PermissionDenied(_("Your role may not lift lockouts."))
    context = {
        "lockouts": selectors.lockout_list(user=request.user),  # type: ignore[arg-type]
        "form": AddressForm(),
    }
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def address_unlock(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_ROLES):
        raise PermissionDenied(_("Your role may not lift lockouts."))
    form = AddressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an IP address."))
        return redirect("accounts:lockouts")
    lockout_clear(actor=request.user, address=form.cleaned_data["address"], request=request)  # type: ignore[arg-type]
    messages.success(request, _("The lockout was lifted."))
    return redirect("accounts:lockouts")


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_KEYS):
        raise PermissionDenied(_("Your role may not see the keys."))
    context = {"keys": selectors.pii_key_ids(), "cipher": settings.PII_CIPHER}
    return render(request, "accounts/keys.html", context)
