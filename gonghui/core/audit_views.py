"""The auditor's viewer of the audit log: filtered list, entry detail, XLSX/CSV export.

Only users whose role has VIEW_AUDIT (auditors) get in; for everyone else, business roles and
the system and security administrators included, these pages do not exist (404), so the log
of what administrators did cannot be read by them.
"""

import json

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.audit_selectors import (
    AuditFilter,
    audit_entry_get,
    audit_entry_integrity,
    audit_entry_list,
)
from gonghui.core.audit_services import audit_export_rows
from gonghui.core.exporting import export_response
from gonghui.core.forms import StyledForm
from gonghui.core.models import AuditAction

app_name = "audit"


class AuditFilterForm(StyledForm):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AuditAction.choices]
    )
    target_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    target_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    text = forms.CharField(label=_("Reason contains"), required=False, max_length=100)

    def filters(self) -> AuditFilter:
        """The valid filters (an invalid one is shown with its error and not applied)."""
        if not self.is_bound:
            return AuditFilter()
        self.is_valid()
        return AuditFilter(**self.cleaned_data)


def _auditor_only(request: HttpRequest) -> None:
    if not can(request.user, Capability.VIEW_AUDIT):
        raise Http404


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _auditor_only(request)
    form = AuditFilterForm(request.GET or None)
    entries = audit_entry_list(user=request.user, filters=form.filters())
    raw_page = request.GET.get("page", "1")
    number = max(1, int(raw_page)) if raw_page.isdigit() else 1
    size = settings.PAGE_SIZE
    # No total count: over millions of entries it costs more than the page.
    rows = list(entries[(number - 1) * size : number * size + 1])
    context = {
        "form": form,
        "entries": rows[:size],
        "page_number": number,
        "has_next": len(rows) > size,
        "has_previous": number > 1,
        "query": _query_without_page(request),
    }
    template = "core/audit/_table.html" if request.htmx else "core/audit/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _auditor_only(request)
    entry = audit_entry_get(user=request.user, pk=pk)
    if entry is None:
        raise Http404
    context = {
        "entry": entry,
        "detail_json": json.dumps(entry.detail, ensure_ascii=False, indent=2, sort_keys=True),
        "integrity": audit_entry_integrity(entry=entry),
    }
    return render(request, "core/audit/detail.html", context)


@login_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as XLSX (constant memory) or CSV; the export is itself audited."""
    _auditor_only(request)
    form = AuditFilterForm(request.GET or None)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = audit_export_rows(user=request.user, filters=form.filters(), fmt=fmt, request=request)
    return export_response(rows, fmt=fmt, name="audit")


urlpatterns = [
    path("audit/", audit_list, name="list"),
    path("audit/export/", audit_export, name="export"),
    path("audit/<int:pk>/", audit_detail, name="detail"),
]
