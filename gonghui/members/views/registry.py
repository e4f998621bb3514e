"""Member list, detail, audited reveal and export pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, TwoFactorRequired, can
from gonghui.accounts.views.two_factor import two_factor_refusal
from gonghui.core.counting import capped_count
from gonghui.core.exporting import export_response
from gonghui.members import selectors
from gonghui.members.forms import MemberFilterForm, RevealForm, UnmaskedExportForm
from gonghui.members.services.registry import member_export_rows, member_reveal


def _filtered(request: HttpRequest) -> tuple[MemberFilterForm, object]:
    form = MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_list(
        user=request.user,
        q=data.get("q"),
        employer=data.get("employer"),
        org_code=data.get("org"),
        status=data.get("status"),
        joined_from=data.get("joined_from"),
        joined_to=data.get("joined_to"),
    )
    return form, members


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    form, members = _filtered(request)
    raw_page = request.GET.get("page", "1")
    number = max(1, int(raw_page)) if raw_page.isdigit() else 1
    size = settings.PAGE_SIZE
    rows = list(members[(number - 1) * size : number * size + 1])  # type: ignore[index]
    total, exact = capped_count(members)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "members": rows[:size],
        "page_number": number,
        "has_next": len(rows) > size,
        "has_previous": number > 1,
        "total": total,
        "total_exact": exact,
        "query": query.urlencode(),
        "can_export_unmasked": can(request.user, Capability.EXPORT_PII),
        "export_form": UnmaskedExportForm(),
    }
    template = "members/_member_table.html" if request.htmx else "members/list.html"
    return render(request, template, context)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if member is None:
        raise Http404
    context = {
        "member": member,
        "cards": selectors.member_cards(user=request.user, member=member),
        "transfers": selectors.transfer_list(user=request.user).filter(member=member),
        "can_reveal": can(request.user, Capability.REVEAL_PII),
        "can_manage": can(request.user, Capability.MANAGE_MEMBERS),
    }
    return render(request, "members/detail.html", context)


@login_required
@require_POST
def member_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if member is None:
        raise Http404
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "members/_reveal.html",
            {"member": member, "form": form, "field": request.POST.get("field")},
            status=400,
        )
    try:
        value = member_reveal(
            user=request.user,
            member=member,
            field=form.cleaned_data["field"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    except TwoFactorRequired as exc:
        return two_factor_refusal(request, str(exc))
    return render(
        request, "members/_revealed.html", {"value": value, "field": form.cleaned_data["field"]}
    )


@login_required
def member_export(request: HttpRequest) -> HttpResponse:
    """GET: a masked export of the filtered list. POST with a reason: unmasked (audited)."""
    _form, members = _filtered(request)
    unmasked, reason, fmt = False, "", request.GET.get("format", "xlsx")
    if request.method == "POST":
        export_form = UnmaskedExportForm(request.POST)
        if not export_form.is_valid():
            return HttpResponseBadRequest(
                " ".join(str(m) for errors in export_form.errors.values() for m in errors)
            )
        unmasked, reason = True, export_form.cleaned_data["reason"]
        fmt = export_form.cleaned_data["format"]
    try:
        rows = member_export_rows(
            user=request.user,
            members=members,
            unmasked=unmasked,  # type: ignore[arg-type]
            reason=reason,
            request=request,
        )
    except TwoFactorRequired as exc:
        return two_factor_refusal(request, str(exc))
    return export_response(rows, fmt=fmt, name="members")


urlpatterns = [
    path("members/", member_list, name="list"),
    path("members/export/", member_export, name="export"),
    path("members/<int:pk>/", member_detail, name="detail"),
    path("members/<int:pk>/reveal/", member_reveal_view, name="reveal"),
]
