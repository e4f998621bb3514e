"""Uploading member files, following the background import, and the template to fill in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.members import selectors
from gonghui.members.forms import MemberImportForm
from gonghui.members.services.imports import member_import_start
from gonghui.members.template import member_template_xlsx


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Capability.IMPORT_MEMBERS)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and allowed and form.is_valid():
        job = member_import_start(user=request.user, upload=form.cleaned_data["file"])
        messages.info(request, _("The import is queued; this page shows its progress."))
        return redirect("members:import", pk=job.pk)
    imports = selectors.member_import_list(user=request.user)[:50]
    return render(
        request, "members/imports.html", {"form": form, "imports": imports, "allowed": allowed}
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.member_import_list(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    template = "members/_import_progress.html" if request.htmx else "members/import.html"
    return render(request, template, {"job": job})


@login_required
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.member_import_list(user=request.user).filter(pk=pk).first()
    if job is None or not job.error_report:
        raise Http404
    return FileResponse(
        job.error_report.open("rb"), as_attachment=True, filename=f"{job.pk}-errors.xlsx"
    )


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    return FileResponse(
        member_template_xlsx(), as_attachment=True, filename="member-import-template.xlsx"
    )


urlpatterns = [
    path("members/imports/", import_list, name="imports"),
    path("members/imports/template.xlsx", import_template, name="import_template"),
    path("members/imports/<int:pk>/", import_detail, name="import"),
    path("members/imports/<int:pk>/errors.xlsx", import_errors, name="import_errors"),
]
