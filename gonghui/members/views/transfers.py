"""Member transfers: the request form on the member page, the transfers page of both sides.

The member page's panel (`members/_transfers.html`) posts with HTMX and gets the panel back;
plain posts are answered with a redirect and a message. Accepting and rejecting are open only
to users whose scope contains the receiving union, cancelling only to the sending side: anyone
else gets 404, as for any object outside their scope.
"""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.members import selectors
from gonghui.members.forms import StyledForm
from gonghui.members.models import Member, MemberTransfer, TransferStatus
from gonghui.members.services.transfers import (
    transfer_accept,
    transfer_cancel,
    transfer_reject,
    transfer_request,
    transfer_target,
)


class TransferRequestForm(StyledForm):
    to_org_code = forms.CharField(label=gettext_lazy("Code of the receiving union"), max_length=32)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class DecisionForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


def _form_errors(form: forms.Form) -> ValidationError:
    return ValidationError(
        [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
    )


def _require_manager(request: HttpRequest) -> None:
    if not can(request.user, Capability.MANAGE_MEMBERS):
        raise PermissionDenied(_("Your role may not transfer members."))


def _panel(
    request: HttpRequest, member: Member, *, error: str = "", notice: str = ""
) -> HttpResponse:
    context = {
        "member": member,
        "transfers": selectors.transfer_list(user=request.user).filter(member=member),
        "can_manage": can(request.user, Capability.MANAGE_MEMBERS),
        "transfer_error": error,
        "transfer_notice": notice,
    }
    return render(request, "members/_transfers.html", context)


def _answer(request: HttpRequest, act: Callable[[], str], *, member: Member | None) -> HttpResponse:
    """Run a transfer service; answer with the member panel (HTMX) or a redirect and a message.

    `member` is given when the post came from the member page and the user may still see the
    member afterwards; the transfers page is the answer otherwise.
    """
    error, done = "", ""
    try:
        done = act()
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if member is not None:
        member = selectors.member_get(user=request.user, pk=member.pk)
    if request.htmx and member is not None:
        return _panel(request, member, error=error, notice=done)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    if member is not None:
        return redirect("members:detail", pk=member.pk)
    return redirect("members:transfers")


# --- the member page -----------------------------------------------------------------------------


@login_required
@require_POST
def transfer_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if member is None:
        raise Http404
    _require_manager(request)
    form = TransferRequestForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise _form_errors(form)
        code = form.cleaned_data["to_org_code"].strip()
        to_org = transfer_target(code=code)
        if to_org is None:
            raise ValidationError(
                _("No union with the code %(code)s can take members."), params={"code": code}
            )
        transfer = transfer_request(
            user=request.user, member=member, to_org=to_org, reason=form.cleaned_data["reason"]
        )
        if transfer.status == TransferStatus.COMPLETED:
            return _("The member was transferred to %(name)s.") % {"name": to_org.name}
        return _("The transfer was sent to %(name)s; it completes when that union accepts it.") % {
            "name": to_org.name
        }

    return _answer(request, act, member=member)


@login_required
@require_GET
def transfer_org(request: HttpRequest) -> HttpResponse:
    """Name and code of a union that can take members, looked up by code anywhere in the tree."""
    code = request.GET.get("to_org_code", "").strip()
    org = transfer_target(code=code) if code else None
    return render(request, "members/transfer_org.html", {"code": code, "org": org})


# --- the transfers page --------------------------------------------------------------------------


def _receiving(request: HttpRequest) -> QuerySet[MemberTransfer]:
    return selectors.transfer_list(user=request.user, via="to_org__path")


def _sending(request: HttpRequest) -> QuerySet[MemberTransfer]:
    return selectors.transfer_list(user=request.user, via="from_org__path")


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    visible = selectors.transfer_list(user=request.user).select_related(
        "requested_by", "decided_by"
    )
    history = visible.exclude(status=TransferStatus.PENDING)
    page = Paginator(history, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": "",
        "can_manage": can(request.user, Capability.MANAGE_MEMBERS),
    }
    if request.htmx:
        return render(request, "members/transfers_history.html", context)
    pending = visible.filter(status=TransferStatus.PENDING)
    context |= {
        "incoming": _receiving(request).filter(status=TransferStatus.PENDING),
        "outgoing": pending.exclude(pk__in=_receiving(request).values("pk")),
    }
    return render(request, "members/transfers.html", context)


def _get(transfers: QuerySet[MemberTransfer], pk: int) -> MemberTransfer:
    transfer = transfers.filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def _from_member_page(request: HttpRequest, transfer: MemberTransfer) -> Member | None:
    return transfer.member if request.POST.get("panel") == "member" else None


@login_required
@require_POST
def transfer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get(_receiving(request), pk)
    _require_manager(request)

    def act() -> str:
        transfer_accept(user=request.user, transfer=transfer)
        return _("%(name)s was transferred to %(org)s.") % {
            "name": transfer.member.name,
            "org": transfer.to_org.name,
        }

    return _answer(request, act, member=None)


@login_required
@require_POST
def transfer_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get(_receiving(request), pk)
    _require_manager(request)
    form = DecisionForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise ValidationError(_("Give the reason for rejecting the transfer."))
        transfer_reject(user=request.user, transfer=transfer, reason=form.cleaned_data["reason"])
        return _("The transfer was rejected; the member stays in %(org)s.") % {
            "org": transfer.from_org.name
        }

    return _answer(request, act, member=None)


@login_required
@require_POST
def transfer_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get(_sending(request), pk)
    _require_manager(request)

    def act() -> str:
        transfer_cancel(user=request.user, transfer=transfer)
        return _("The transfer was cancelled.")

    return _answer(request, act, member=_from_member_page(request, transfer))


urlpatterns = [
    path("members/<int:pk>/transfer/", transfer_request_view, name="transfer_request"),
    path("members/transfers/", transfer_list, name="transfers"),
    path("members/transfers/org/", transfer_org, name="transfer_org"),
    path("members/transfers/<int:pk>/accept/", transfer_accept_view, name="transfer_accept"),
    path("members/transfers/<int:pk>/reject/", transfer_reject_view, name="transfer_reject"),
    path("members/transfers/<int:pk>/cancel/", transfer_cancel_view, name="transfer_cancel"),
]
