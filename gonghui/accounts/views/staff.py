"""Staff accounts in the administrator's subtree: the system administrator's pages (accounts)
and the security administrator's actions on them (role, second factor, lockout).

An account outside the viewer's scope answers 404 whoever asks; inside it, an action of the
other administrator (or of a business role) answers 403.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts import selectors
from gonghui.accounts.capabilities import Capability, can, two_factor_required
from gonghui.accounts.forms import RoleForm, StaffCreateForm, StaffForm
from gonghui.accounts.models import Role, User
from gonghui.accounts.services.lockouts import lockout_clear
from gonghui.accounts.services.passwords import password_link_send
from gonghui.accounts.services.staff import (
    staff_create,
    staff_role_set,
    staff_set_active,
    staff_update,
)
from gonghui.accounts.services.two_factor import two_factor_reset


def _require_either(request: HttpRequest) -> None:
    if not (
        can(request.user, Capability.MANAGE_USERS) or can(request.user, Capability.MANAGE_ROLES)
    ):
        raise PermissionDenied(_("Your role may not manage staff accounts."))


def _account(request: HttpRequest, pk: int) -> User:
    account = selectors.staff_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    if account is None:
        raise Http404
    return account


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_either(request)
    q = request.GET.get("q", "")
    page = Paginator(selectors.staff_list(user=request.user, q=q), settings.PAGE_SIZE)  # type: ignore[arg-type]
    context = {
        "page": page.get_page(request.GET.get("page")),
        "q": q,
        "query": f"q={q}" if q else "",
        "can_create": can(request.user, Capability.MANAGE_USERS),
    }
    return render(request, "accounts/staff_list.html", context)


@login_required
def staff_create_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_USERS):
        raise PermissionDenied(_("Your role may not manage staff accounts."))
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = staff_create(
                actor=request.user,  # type: ignore[arg-type]
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                scope_org=data["scope_org_code"],
                email=data["email"],
                phone=data["phone"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The account was created; its owner was sent a link to set a password.")
            )
            return redirect("accounts:staff_detail", account.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "account": None})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    _require_either(request)
    context = {
        "account": account,
        "is_self": account.pk == request.user.pk,
        "can_manage_users": can(request.user, Capability.MANAGE_USERS),
        "can_manage_roles": can(request.user, Capability.MANAGE_ROLES),
        "role_form": RoleForm(initial={"role": account.role}),
        "enrolled": selectors.two_factor_enrolled(user=account),
        "two_factor_required": two_factor_required(account),
        "locked_until": selectors.lockout_ends_at(username=account.username, address=None),
    }
    return render(request, "accounts/staff_detail.html", context)


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    if not can(request.user, Capability.MANAGE_USERS):
        raise PermissionDenied(_("Your role may not manage staff accounts."))
    initial = {
        "last_name": account.last_name,
        "first_name": account.first_name,
        "scope_org_code": account.scope_org.code if account.scope_org else "",
        "email": account.email,
    }
    form = StaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_update(
                actor=request.user,  # type: ignore[arg-type]
                user=account,
                first_name=data["first_name"],
                last_name=data["last_name"],
                scope_org=data["scope_org_code"],
                request=request,
                **form.contact_values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff_detail", account.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "account": account})


def _act(request: HttpRequest, pk: int, act: Callable[[User], Any], done: str) -> HttpResponse:
    """Run an action on an account of the viewer's scope (404 otherwise) and come back."""
    account = _account(request, pk)
    try:
        act(account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("accounts:staff_detail", account.pk)


@login_required
@require_POST
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    return _act(
        request,
        pk,
        lambda account: staff_set_active(
            actor=request.user, user=account, active=active, request=request
        ),
        _("The account was reactivated.") if active else _("The account was deactivated."),
    )


@login_required
@require_POST
def staff_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: password_link_send(user=account, request=request, actor=request.user),
        _("A link to set a new password was sent to the account's e-mail address."),
    )


@login_required
@require_POST
def staff_role(request: HttpRequest, pk: int) -> HttpResponse:
    form = RoleForm(request.POST)
    role = Role(form.cleaned_data["role"]) if form.is_valid() else None

    def assign(account: User) -> None:
        if role is None:
            raise ValidationError(_("Choose a role."))
        staff_role_set(actor=request.user, user=account, role=role, request=request)  # type: ignore[arg-type]

    return _act(request, pk, assign, _("The role was changed."))


@login_required
@require_POST
def staff_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: two_factor_reset(actor=request.user, user=account, request=request),
        _("The second factors were removed: the owner sets up a new one at the next login."),
    )


@login_required
@require_POST
def staff_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: lockout_clear(
            actor=request.user, username=account.username, request=request
        ),
        _("The lockout was lifted."),
    )
