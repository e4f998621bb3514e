"""Pages of the legal services: workbench, consultations, legal aid, dispute cases, providers,
statistics, the link from an appeal and the worker's portal.

Views parse, call a selector or a service, render. Every object is read through the scoped
selectors (a lawyer only what is assigned to them), so anything else answers 404. Opening a
case file or one of its documents is audited.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.appeals.selectors import appeal_get
from gonghui.core.ratelimit import rate_limited
from gonghui.core.validators import normalize_mobile
from gonghui.legal import selectors, services
from gonghui.legal.classification import recommended_paths
from gonghui.legal.forms import (
    AidCloseForm,
    AidForm,
    CloseForm,
    ConsultationForm,
    DatesForm,
    DisputeForm,
    PortalFollowForm,
    PortalRequestForm,
    StepForm,
)
from gonghui.legal.models import (
    AidOutcome,
    AidStatus,
    CaseDocument,
    Consultation,
    DisputeCase,
    DisputeOutcome,
    DisputeStatus,
    DisputeType,
    DocumentKind,
    LegalAidCase,
    ResolutionPath,
    RightsSubtype,
    StepOutcome,
)
from gonghui.legal.stats import legal_stats, stats_years

app_name = "legal"
SESSION_CODE = "legal_lookup_code"


def _errors(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _run(request: HttpRequest, act: Callable[[HttpRequest, Any], Any] | None, obj: Any) -> None:
    """Run one action on `obj` (404 for an unknown one); its outcome becomes a message."""
    if act is None:
        raise Http404
    try:
        act(request, obj)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Done."))


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))


# --- workbench ---------------------------------------------------------------------------------


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    context = {
        "clocks": selectors.clock_board(user=user, today=today)[:50],
        "major": selectors.dispute_list(user=user, status=DisputeStatus.OPEN, major=True)[:20],
        "open_disputes": selectors.dispute_list(user=user, status=DisputeStatus.OPEN).count(),
        "open_consultations": selectors.consultation_list(user=user, status="open").count(),
        "aid_waiting": selectors.aid_list(user=user, status=AidStatus.APPLIED).count(),
        "on_duty": selectors.on_duty(user=user, day=today),
        "today": today,
    }
    return render(request, "legal/workbench.html", context)


# --- consultations -----------------------------------------------------------------------------


@login_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.consultation_list(user=request.user, status=status)
    return render(
        request,
        "legal/consultations.html",
        {"page": _page(request, qs), "status": status},
    )


@login_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    if not services.can_handle_legal(request.user) or request.user.scope_org is None:
        raise PermissionDenied(_("Your role may not work on legal cases."))
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.consultation_create(
                org=request.user.scope_org,
                channel=data["channel"],
                topic=data["topic"],
                question=data["question"],
                name=data["name"],
                phone=data["phone"],
                employer_name=data["employer"],
                answer=data["answer"],
                duration_minutes=data["duration_minutes"],
                lawyer=services.lawyer_of(request.user) or _duty_lawyer(request, data["channel"]),
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Consultation %(code)s recorded.") % {"code": consultation.code}
            )
            return redirect("legal:consultation", pk=consultation.pk)
    return render(request, "legal/form.html", {"form": form, "title": _("New consultation")})


def _duty_lawyer(request: HttpRequest, channel: str) -> Any:
    """A hotline consultation goes to the lawyer on duty today (the first, if several)."""
    if channel != "hotline":
        return None
    duty = selectors.on_duty(user=request.user, day=timezone.localdate())
    return duty[0].lawyer if duty else None


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    found = selectors.consultation_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _consultation(request, pk)
    return render(
        request,
        "legal/consultation.html",
        {
            "consultation": found,
            "can_handle": services.can_handle_legal(request.user),
            "dispute_types": DisputeType.choices,
            "subtypes": RightsSubtype.choices,
        },
    )


@login_required
@require_POST
def consultation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = _consultation(request, pk)
    post = request.POST
    try:
        if action == "answer":
            services.consultation_answer(
                user=request.user,
                consultation=found,
                answer=post.get("answer", ""),
                duration_minutes=_int_or_none(post.get("duration_minutes")),
            )
        elif action == "convert":
            case = services.consultation_convert(
                user=request.user,
                consultation=found,
                into=post.get("into", ""),
                dispute_type=post.get("dispute_type", ""),
                rights_subtype=post.get("rights_subtype", ""),
                workers_involved=_int_or_none(post.get("workers_involved")) or 1,
                amount=post.get("amount", "0") or "0",
                hardship=post.get("hardship") == "on",
            )
            messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
            if isinstance(case, DisputeCase):
                return redirect("legal:dispute", pk=case.pk)
            return redirect("legal:aid", pk=case.pk)
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("legal:consultation", pk=found.pk)


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


# --- legal aid ---------------------------------------------------------------------------------


@login_required
@require_GET
def aid_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.aid_list(user=request.user, status=status)
    return render(
        request,
        "legal/aid_list.html",
        {"page": _page(request, qs), "status": status, "statuses": AidStatus.choices},
    )


@login_required
def aid_new(request: HttpRequest) -> HttpResponse:
    if not services.can_handle_legal(request.user) or request.user.scope_org is None:
        raise PermissionDenied(_("Your role may not work on legal cases."))
    form = AidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.aid_apply(
                org=request.user.scope_org,
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                employer_name=data["employer"],
                case_type=data["case_type"],
                hardship=data["hardship"],
                hardship_note=data["hardship_note"],
                amount_claimed=data["amount_claimed"] or "0",
                summary=data["summary"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Application %(code)s recorded.") % {"code": case.code})
            return redirect("legal:aid", pk=case.pk)
    return render(
        request, "legal/form.html", {"form": form, "title": _("New legal-aid application")}
    )


def _aid(request: HttpRequest, pk: int) -> LegalAidCase:
    found = selectors.aid_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def aid(request: HttpRequest, pk: int) -> HttpResponse:
    case = _aid(request, pk)
    services.case_file_opened(user=request.user, case=case, request=request, what="page")
    return render(
        request,
        "legal/aid.html",
        {
            "case": case,
            "can_handle": services.can_handle_legal(request.user),
            "can_review": services.can_review_legal_aid(request.user),
            "lawyers": selectors.lawyers_for(user=request.user),
            "close_form": AidCloseForm(),
            "outcomes": AidOutcome.choices,
        },
    )


def _lawyer(request: HttpRequest) -> Any:
    chosen = _int_or_none(request.POST.get("lawyer")) or 0
    return selectors.lawyers_for(user=request.user).filter(pk=chosen).first()


AidAct = Callable[[HttpRequest, LegalAidCase], LegalAidCase]
AID_ACTIONS: dict[str, AidAct] = {
    "approve": lambda r, c: services.aid_review(
        user=r.user, case=c, approve=True, note=r.POST.get("note", "")
    ),
    "reject": lambda r, c: services.aid_review(
        user=r.user, case=c, approve=False, note=r.POST.get("note", "")
    ),
    "assign": lambda r, c: services.aid_assign(
        user=r.user, case=c,
        lawyer=_lawyer(r),
    ),
    "handle": lambda r, c: services.aid_handle(user=r.user, case=c, note=r.POST.get("note", "")),
    "close": lambda r, c: services.aid_close(
        user=r.user, case=c, outcome=r.POST.get("outcome", ""), note=r.POST.get("note", ""),
        amount_recovered=r.POST.get("amount_recovered", "0") or "0",
    ),
}  # fmt: skip


@login_required
@require_POST
def aid_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _aid(request, pk)
    _run(request, AID_ACTIONS.get(action), case)
    return redirect("legal:aid", pk=case.pk)


# --- dispute cases -----------------------------------------------------------------------------


@login_required
@require_GET
def disputes(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    major = request.GET.get("major") == "1"
    qs = selectors.dispute_list(user=request.user, status=status, major=major)
    return render(
        request,
        "legal/disputes.html",
        {"page": _page(request, qs), "status": status, "major": major},
    )


@login_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    if not services.can_handle_legal(request.user) or request.user.scope_org is None:
        raise PermissionDenied(_("Your role may not work on legal cases."))
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.dispute_create(
                user=request.user,
                org=request.user.scope_org,
                dispute_type=data["dispute_type"],
                rights_subtype=data["rights_subtype"],
                employer_uscc=data["employer_uscc"],
                employer_name=data["employer_name"],
                workers_involved=data["workers_involved"],
                workers=form.parsed_workers(),
                claims=form.parsed_claims(),
                knew_on=data["knew_on"],
                summary=data["summary"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
            return redirect("legal:dispute", pk=case.pk)
    return render(request, "legal/form.html", {"form": form, "title": _("New dispute case")})


def _dispute(request: HttpRequest, pk: int) -> DisputeCase:
    found = selectors.dispute_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    case = _dispute(request, pk)
    services.case_file_opened(user=request.user, case=case, request=request, what="page")
    paths = recommended_paths(case.dispute_type, case.rights_subtype)
    documents = {d.kind: d for d in case.documents.all()}
    mediators, places = selectors.mediation_choices(case=case)
    return render(
        request,
        "legal/dispute.html",
        {
            "case": case,
            "paths": [(p, ResolutionPath(p).label) for p in paths],
            "clocks": selectors.case_clocks(case),
            "workers": case.workers.all(),
            "claims": case.claims.all(),
            "steps": case.steps.all(),
            "lawyers": case.lawyers.select_related("firm"),
            "all_lawyers": selectors.lawyers_for(user=request.user),
            "mediators": mediators,
            "mediation_places": places,
            "documents": [
                (kind, label, documents.get(kind)) for kind, label in DocumentKind.choices
            ],
            "step_outcomes": StepOutcome.choices,
            "outcomes": DisputeOutcome.choices,
            "can_handle": services.can_handle_legal(request.user),
            "can_assign": services.can_review_legal_aid(request.user),
            "today": timezone.localdate(),
        },
    )


def _step(r: HttpRequest, c: DisputeCase) -> Any:
    form = StepForm(r.POST)
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()]
        )
    data = form.cleaned_data
    return services.dispute_step_add(
        user=r.user, case=c, path=data["path"], on=data["on"], outcome=data["outcome"],
        who=data["who"], note=data["note"],
    )  # fmt: skip


def _close(r: HttpRequest, c: DisputeCase) -> Any:
    form = CloseForm(r.POST)
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()]
        )
    data = form.cleaned_data
    performed = {"yes": True, "no": False}.get(data["performed"])
    return services.dispute_close(
        user=r.user, case=c, outcome=data["outcome"], amount_agreed=data["amount_agreed"] or "0",
        amount_recovered=data["amount_recovered"] or "0", performed=performed, note=data["note"],
    )  # fmt: skip


def _dates(r: HttpRequest, c: DisputeCase) -> Any:
    form = DatesForm(r.POST)
    if not form.is_valid():
        raise ValidationError(_("Enter valid dates."))
    data = form.cleaned_data
    return services.dispute_dates_set(
        user=r.user, case=c, knew_on=data["knew_on"],
        mediation_applied_on=data["mediation_applied_on"],
        arbitration_accepted_on=data["arbitration_accepted_on"],
        award_extended=data["award_extended"],
    )  # fmt: skip


def _mediation(r: HttpRequest, c: DisputeCase) -> Any:
    mediators, places = selectors.mediation_choices(case=c)
    return services.dispute_mediation_assign(
        user=r.user, case=c,
        mediator=mediators.filter(pk=_int_or_none(r.POST.get("mediator")) or 0).first(),
        place=places.filter(pk=_int_or_none(r.POST.get("place")) or 0).first(),
    )  # fmt: skip


DisputeAct = Callable[[HttpRequest, DisputeCase], Any]
DISPUTE_ACTIONS: dict[str, DisputeAct] = {
    "step": _step,
    "close": _close,
    "dates": _dates,
    "mediation": _mediation,
    "assign": lambda r, c: services.dispute_lawyer_assign(
        user=r.user, case=c,
        lawyer=_lawyer(r),
    ),
    "document": lambda r, c: services.document_generate(
        user=r.user, case=c, kind=r.POST.get("kind", "")
    ),
}  # fmt: skip


@login_required
@require_POST
def dispute_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _dispute(request, pk)
    _run(request, DISPUTE_ACTIONS.get(action), case)
    return redirect("legal:dispute", pk=case.pk)


@login_required
@require_GET
def document(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    case = _dispute(request, pk)
    found = CaseDocument.objects.filter(case=case, kind=kind).first()
    if found is None or not found.file:
        raise Http404
    services.case_file_opened(user=request.user, case=case, request=request, what=kind)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"{case.code}-{kind}.pdf",
        content_type="application/pdf",
    )


# --- links with the appeal line ----------------------------------------------------------------


@login_required
@require_POST
def from_appeal(request: HttpRequest, tracking_code: str) -> HttpResponse:
    appeal = appeal_get(user=request.user, tracking_code=tracking_code)
    if appeal is None:
        raise Http404
    try:
        record = services.appeal_to_legal(
            user=request.user,
            appeal=appeal,
            into=request.POST.get("into", ""),
            dispute_type=request.POST.get("dispute_type", ""),
            rights_subtype=request.POST.get("rights_subtype", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect("appeals:detail", tracking_code=appeal.tracking_code)
    messages.success(request, _("%(code)s opened from the appeal.") % {"code": record.code})
    if isinstance(record, DisputeCase):
        return redirect("legal:dispute", pk=record.pk)
    return redirect("legal:consultation", pk=record.pk)


# --- providers and statistics ------------------------------------------------------------------


@login_required
@require_GET
def providers(request: HttpRequest) -> HttpResponse:
    data = selectors.providers(user=request.user, today=timezone.localdate())
    return render(request, "legal/providers.html", {"providers": data})


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    year = _int_or_none(request.GET.get("year"))
    figures = legal_stats(user=request.user, year=year)
    if request.GET.get("format") == "json":
        return JsonResponse(stats_json(figures))
    return render(
        request,
        "legal/stats.html",
        {"stats": figures, "years": stats_years(user=request.user), "year": year},
    )


def stats_json(figures: Any) -> dict[str, Any]:
    return {
        "year": figures.year,
        "total": figures.total.as_dict(),
        "by_district": [f.as_dict() for f in figures.by_district],
        "by_year": [f.as_dict() for f in figures.by_year],
        "by_path": [f.as_dict() for f in figures.by_path],
        "by_category": [f.as_dict() for f in figures.by_category],
    }


# --- the worker's portal -----------------------------------------------------------------------


def _code_key(raw: str) -> str:
    return "".join(raw.split()).upper()


@rate_limited("portal_legal", keys={"phone": normalize_mobile})
def portal_new(request: HttpRequest) -> HttpResponse:
    form = PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.portal_request(
                kind=data["kind"],
                name=data["name"],
                phone=data["phone"],
                topic=data["topic"],
                question=data["question"],
                employer_name=data["employer"],
                hardship=data["hardship"],
                language="en" if (get_language() or "").startswith("en") else "zh-hans",
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[SESSION_CODE] = record.code
            return redirect("legal:portal_done")
    return render(request, "portal/legal/new.html", {"form": form})


@require_GET
@rate_limited("portal_legal_follow", keys={"code": _code_key}, methods=("GET",))
def portal_done(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_CODE)
    record: Consultation | LegalAidCase | None = None
    if code:
        model = LegalAidCase if code.startswith(services.AID_PREFIX) else Consultation
        record = model.objects.filter(code=code).first()
    if record is None:
        return redirect("legal:portal_new")
    return render(request, "portal/legal/done.html", {"record": record})


@rate_limited("portal_legal_follow", keys={"code": _code_key})
def portal_follow(request: HttpRequest) -> HttpResponse:
    form = PortalFollowForm(request.POST or None)
    record, not_found = None, False
    if request.method == "POST" and form.is_valid():
        record = selectors.portal_lookup(
            code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"]
        )
        not_found = record is None
    return render(
        request,
        "portal/legal/follow.html",
        {
            "form": form,
            "record": record,
            "not_found": not_found,
            "is_aid": isinstance(record, LegalAidCase),
        },
    )


urlpatterns = [
    path("legal/", workbench, name="workbench"),
    path("legal/consultations/", consultations, name="consultations"),
    path("legal/consultations/new/", consultation_new, name="consultation_new"),
    path("legal/consultations/<int:pk>/", consultation, name="consultation"),
    path("legal/consultations/<int:pk>/<str:action>/", consultation_act, name="consultation_act"),
    path("legal/aid/", aid_list, name="aid_list"),
    path("legal/aid/new/", aid_new, name="aid_new"),
    path("legal/aid/<int:pk>/", aid, name="aid"),
    path("legal/aid/<int:pk>/<str:action>/", aid_act, name="aid_act"),
    path("legal/disputes/", disputes, name="disputes"),
    path("legal/disputes/new/", dispute_new, name="dispute_new"),
    path("legal/disputes/<int:pk>/", dispute, name="dispute"),
    path("legal/disputes/<int:pk>/documents/<str:kind>/", document, name="document"),
    path("legal/disputes/<int:pk>/<str:action>/", dispute_act, name="dispute_act"),
    path("legal/from-appeal/<str:tracking_code>/", from_appeal, name="from_appeal"),
    path("legal/providers/", providers, name="providers"),
    path("legal/stats/", stats, name="stats"),
    path("portal/legal/new/", portal_new, name="portal_new"),
    path("portal/legal/done/", portal_done, name="portal_done"),
    path("portal/legal/follow/", portal_follow, name="portal_follow"),
]
