"""Back office: subsidy programmes, review of applications, payment batches, statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, TwoFactorRequired, can, require
from gonghui.accounts.views.two_factor import two_factor_refusal
from gonghui.benefits import selectors
from gonghui.benefits.forms import DecisionForm, ProgrammeForm, programme_initial
from gonghui.benefits.models import SubsidyProgramme, SubsidyStatus
from gonghui.benefits.services.subsidies import (
    batch_create,
    batch_export,
    batch_mark_paid,
    committed_amount,
    programme_levels,
    programme_save,
    subsidy_decide,
)
from gonghui.benefits.views.catalogue import form_errors
from gonghui.core.scoping import org_in_scope


def _programme(request: HttpRequest, pk: int) -> SubsidyProgramme:
    programme = selectors.programmes_visible(user=request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (p, selectors.subsidy_stats(user=request.user, programme=p))
        for p in selectors.programmes_visible(user=request.user)
    ]
    context = {"rows": rows, "can_manage": can(request.user, Capability.MANAGE_BENEFITS)}
    return render(request, "benefits/programmes.html", context)


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    context = {
        "programme": programme,
        "levels": sorted(programme_levels(programme).items()),
        "occupations": programme.occupations.order_by("code"),
        "stats": selectors.subsidy_stats(user=request.user, programme=programme),
        "committed": committed_amount(programme),
        "batches": selectors.batch_list(user=request.user, programme=programme),
        "can_review": can(request.user, Capability.REVIEW_SUBSIDIES),
        "can_export_unmasked": can(request.user, Capability.EXPORT_PII),
        "can_configure": org_in_scope(programme.org, user=request.user)
        and can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/programme.html", context)


def _programme_form_page(request: HttpRequest, programme: SubsidyProgramme | None) -> HttpResponse:
    initial = programme_initial(programme) if programme is not None else {}
    form = ProgrammeForm(request.POST or None, user=request.user, initial=initial)
    editable = programme is None or org_in_scope(programme.org, user=request.user)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not configure programmes."))
        if not editable:
            raise PermissionDenied(_("Only the union that owns it changes this."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = programme_save(
                    org=data["org"], code=data["code"], name=data["name"],
                    starts_on=data["starts_on"], ends_on=data["ends_on"], budget=data["budget"],
                    levels=data["levels"], min_member_months=data["min_member_months"],
                    occupation_codes=[o.code for o in data["occupations"]], programme=programme,
                )  # fmt: skip
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The programme was saved."))
                return redirect("benefits:programme", pk=saved.pk)
    context = {
        "form": form,
        "programme": programme,
        "can_manage": editable and can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/programme_form.html", context)


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    return _programme_form_page(request, None)


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme_form_page(request, _programme(request, pk))


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    programme = None
    if request.GET.get("programme"):
        programme = (
            selectors.programmes_visible(user=request.user)
            .filter(pk=request.GET["programme"])
            .first()
        )
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")
    applications = selectors.application_list(
        user=request.user, programme=programme, status=status, q=q
    )
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    query = urlencode(
        {
            k: v
            for k, v in {
                "programme": programme.pk if programme else "",
                "status": status,
                "q": q,
            }.items()
            if v
        }
    )
    context = {
        "page": page,
        "programme": programme,
        "programmes": selectors.programmes_visible(user=request.user),
        "statuses": SubsidyStatus.choices,
        "status": status,
        "q": q,
        "query": query,
        "target": "body",
    }
    return render(request, "benefits/applications.html", context)


def _application(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    application = selectors.application_get(user=request.user, code=code)
    if application is None:
        raise Http404
    return application


@login_required
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    application = _application(request, code)
    context = {
        "application": application,
        "form": DecisionForm(),
        "can_review": can(request.user, Capability.REVIEW_SUBSIDIES)
        and application.status == SubsidyStatus.SUBMITTED,
    }
    return render(request, "benefits/application.html", context)


@login_required
@require_POST
def application_decide(request: HttpRequest, code: str) -> HttpResponse:
    application = _application(request, code)
    require(
        request.user, Capability.REVIEW_SUBSIDIES, _("You may not decide subsidy applications.")
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("benefits:application", code=application.code)
    try:
        subsidy_decide(
            user=request.user,
            application=application,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The decision was recorded and the applicant informed."))
    return redirect("benefits:application", code=application.code)


@login_required
def application_scan(request: HttpRequest, code: str) -> HttpResponse:
    application = _application(request, code)
    if not application.scan:
        raise Http404
    return FileResponse(
        application.scan.open("rb"),
        as_attachment=True,
        filename=application.scan.name.rsplit("/", 1)[-1],
    )


@login_required
@require_POST
def batch_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    require(request.user, Capability.REVIEW_SUBSIDIES, _("You may not create payment batches."))
    try:
        batch = batch_create(user=request.user, programme=programme, org=request.user.scope_org)  # type: ignore[union-attr]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Payment batch %(code)s was created.") % {"code": batch.code})
    return redirect("benefits:programme", pk=programme.pk)


def _batch(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    batch = selectors.batch_get(user=request.user, pk=pk)
    if batch is None:
        raise Http404
    return batch


@login_required
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the bank's file with ID numbers masked. POST with a reason: unmasked, for the bank
    to pay by ID number (export permission, second factor). Every export is audited."""
    batch = _batch(request, pk)
    unmasked = request.method == "POST"
    reason = request.POST.get("reason", "") if unmasked else ""
    try:
        file = batch_export(
            user=request.user, batch=batch, unmasked=unmasked, reason=reason, request=request
        )
    except TwoFactorRequired as exc:
        return two_factor_refusal(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("benefits:programme", pk=batch.programme_id)
    response = FileResponse(file.open("rb"), as_attachment=True, filename=f"{batch.code}.xlsx")
    file.unlink(missing_ok=True)  # the open handle keeps the data until it is sent
    return response


@login_required
@require_POST
def batch_paid(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require(request.user, Capability.REVIEW_SUBSIDIES, _("You may not mark payments."))
    try:
        batch_mark_paid(user=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Batch %(code)s was marked paid.") % {"code": batch.code})
    return redirect("benefits:programme", pk=batch.programme_id)


urlpatterns = [
    path("benefits/programmes/", programme_list, name="programmes"),
    path("benefits/programmes/new/", programme_new, name="programme_new"),
    path("benefits/programmes/<int:pk>/", programme_detail, name="programme"),
    path("benefits/programmes/<int:pk>/edit/", programme_edit, name="programme_edit"),
    path("benefits/programmes/<int:pk>/batch/", batch_new, name="batch_new"),
    path("benefits/applications/", application_list, name="applications"),
    path("benefits/applications/<str:code>/", application_detail, name="application"),
    path("benefits/applications/<str:code>/decide/", application_decide, name="application_decide"),
    path("benefits/applications/<str:code>/scan/", application_scan, name="application_scan"),
    path("benefits/batches/<int:pk>/export.xlsx", batch_download, name="batch_export"),
    path("benefits/batches/<int:pk>/paid/", batch_paid, name="batch_paid"),
]
