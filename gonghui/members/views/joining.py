"""Joining online: the public portal pages (apply, follow) and the union's decision pages.

The portal pages never echo a full ID number or phone back, not even into a form being
corrected: those inputs render empty after an error.

The public pages are rate limited (gonghui.core.ratelimit): applications per address and per
phone, status lookups per address and per lookup code, the employer picker per address.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.ratelimit import rate_limited
from gonghui.core.validators import InvalidValue, normalize_id_number, normalize_mobile
from gonghui.members import selectors
from gonghui.members.forms import StyledForm
from gonghui.members.models import ApplicationStatus, JoinApplication
from gonghui.members.services.joining import (
    join_application_approve,
    join_application_lookup,
    join_application_overdue,
    join_application_reject,
    join_application_submit,
    join_applications_overdue,
    join_employer_get,
    join_employer_search,
    join_overdue_before,
    lookup_code_normalize,
)

SESSION_CODE = "join_lookup_code"


class NoEchoInput(forms.TextInput):
    """A text input that never renders the value it was given (ID numbers, phones)."""

    def format_value(self, value: Any) -> None:
        return None


# --- portal forms --------------------------------------------------------------------------------


class JoinForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name (as on your ID card)"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("Resident ID number"),
        max_length=30,
        widget=NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=20,
        widget=NoEchoInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    q = forms.CharField(
        label=gettext_lazy("Employer (start of its name, or its credit code)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    employer = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the union stores my name, ID number, phone and employer to handle "
            "this application and my membership."
        ),
        error_messages={"required": gettext_lazy("Your consent is needed to apply.")},
    )

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter your name."))
        return name

    def clean_id_number(self) -> str:
        try:
            return normalize_id_number(self.cleaned_data["id_number"])
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from None

    def clean_phone(self) -> str:
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        term = data.get("employer") or data.get("q") or ""
        employer = join_employer_get(term=term)
        if employer is None:
            message = (
                _("Choose your employer from the list that appears as you type.")
                if term
                else _("Enter your employer and choose it from the list.")
            )
            self.add_error("q", message)
        data["employer_obj"] = employer
        return data


class StatusForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("Lookup code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    last4 = forms.CharField(
        label=gettext_lazy("Last 4 digits of your mobile phone"),
        max_length=4,
        min_length=4,
        widget=NoEchoInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


# --- portal views --------------------------------------------------------------------------------


@rate_limited("portal_join", keys={"phone": normalize_mobile})
def portal_join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = join_application_submit(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                employer=data["employer_obj"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                refusal = " ".join(exc.messages)
        else:
            request.session[SESSION_CODE] = application.lookup_code
            return redirect("members:portal_join_done")
    employer = getattr(form, "cleaned_data", {}).get("employer_obj")
    context = {
        "form": form,
        "refusal": refusal,
        "chosen": (employer.name, employer.uscc) if employer is not None else None,
    }
    return render(request, "portal/join.html", context)


@require_GET
def portal_join_done(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_CODE)
    application = (
        JoinApplication.objects.select_related("org").filter(lookup_code=code).first()
        if code
        else None
    )
    if application is None:
        return redirect("members:portal_join")
    return render(request, "portal/join_done.html", {"application": application})


@rate_limited("portal_join_status", keys={"code": lookup_code_normalize})
def portal_join_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    application, not_found = None, False
    if request.method == "POST" and form.is_valid():
        application = join_application_lookup(
            code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"]
        )
        not_found = application is None
    context = {"form": form, "application": application, "not_found": not_found}
    return render(request, "portal/join_status.html", context)


@require_GET
@rate_limited("portal_employers", methods=("GET",))
def portal_employers(request: HttpRequest) -> HttpResponse:
    """The employer picker: at most 10 (name, credit code) pairs, as radio options."""
    employers = join_employer_search(q=request.GET.get("q", ""))
    return render(
        request,
        "portal/_employer_options.html",
        {"employers": employers, "searched": len(request.GET.get("q", "").strip()) >= 2},
    )


# --- back office ---------------------------------------------------------------------------------


class ApplicationFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ApplicationStatus.choices],
    )
    overdue = forms.BooleanField(
        label=gettext_lazy("Overdue only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the applicant)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _application(request: HttpRequest, pk: int) -> JoinApplication:
    application = selectors.join_application_list(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    applications = selectors.join_application_list(user=request.user, status=data.get("status"))
    if data.get("overdue"):
        applications = join_applications_overdue(applications, today=today)
    page = Paginator(applications, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    overdue_before = join_overdue_before(today=today)
    rows = [
        (a, a.status == ApplicationStatus.PENDING and a.submitted_at < overdue_before) for a in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    template = (
        "members/join_applications_table.html" if request.htmx else "members/join_applications.html"
    )
    return render(request, template, context)


def _detail(
    request: HttpRequest, application: JoinApplication, reject_form: RejectForm, status: int = 200
) -> HttpResponse:
    context = {
        "application": application,
        "overdue": join_application_overdue(application, today=timezone.localdate()),
        "can_manage": can(request.user, Capability.MANAGE_MEMBERS),
        "reject_form": reject_form,
    }
    return render(request, "members/join_application.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _application(request, pk), RejectForm())


@login_required
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        member = join_application_approve(user=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved: %(name)s is now a member.") % {"name": member.name})
    return redirect("members:application", pk=application.pk)


@login_required
@require_POST
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, form, status=400)
    try:
        join_application_reject(
            user=request.user, application=application, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _detail(request, application, form, status=400)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The application was rejected."))
    return redirect("members:application", pk=application.pk)


urlpatterns = [
    path("portal/join/", portal_join, name="portal_join"),
    path("portal/join/done/", portal_join_done, name="portal_join_done"),
    path("portal/join/status/", portal_join_status, name="portal_join_status"),
    path("portal/employers/", portal_employers, name="portal_employers"),
    path("members/applications/", application_list, name="applications"),
    path("members/applications/<int:pk>/", application_detail, name="application"),
    path("members/applications/<int:pk>/approve/", application_approve, name="application_approve"),
    path("members/applications/<int:pk>/reject/", application_reject, name="application_reject"),
]
