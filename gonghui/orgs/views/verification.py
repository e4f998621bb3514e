"""Register verification pages: upload the register, review and decide removal candidates."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can, require
from gonghui.core.tabular import FileUnreadable
from gonghui.orgs import selectors
from gonghui.orgs.forms import CandidateDecisionForm, RegisterUploadForm
from gonghui.orgs.models import CandidateStatus
from gonghui.orgs.services.verification import (
    VerificationResult,
    register_verify,
    removal_confirm,
    removal_dismiss,
)


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Capability.MANAGE_ORG_WORK)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    result: VerificationResult | None = None
    if request.method == "POST":
        require(request.user, Capability.MANAGE_ORG_WORK, _("You may not run verifications."))
        scope_org = selectors.org_scope_root(user=request.user)
        if scope_org is None:
            raise Http404
        if form.is_valid():
            result = _run(request, form, scope_org)
    status = request.GET.get("status") or CandidateStatus.PENDING
    if status not in CandidateStatus.values:
        status = CandidateStatus.PENDING
    page = Paginator(
        selectors.candidate_list(user=request.user, status=status), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "allowed": allowed,
        "result": result,
        "runs": selectors.verification_list(user=request.user)[:10],
        "page": page,
        "status": status,
        "statuses": CandidateStatus.choices,
        "query": f"status={status}",
    }
    return render(request, "orgs/verification.html", context)


def _run(
    request: HttpRequest, form: RegisterUploadForm, scope_org: object
) -> VerificationResult | None:
    upload = form.cleaned_data["file"]
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name).suffix.lower()[:8] if "." in upload.name else ".csv"
    with tempfile.NamedTemporaryFile(dir=directory, suffix=suffix, delete=False) as f:
        for chunk in upload.chunks():
            f.write(chunk)
        path = Path(f.name)
    try:
        return register_verify(
            path=path,
            scope_org=scope_org,  # type: ignore[arg-type]
            as_of=form.cleaned_data["as_of"],
            user=request.user,
            file_name=upload.name,
            report_path=path.with_suffix(".errors.xlsx"),
        )
    except FileUnreadable as exc:
        form.add_error("file", str(exc.reason))
        return None
    finally:
        path.unlink(missing_ok=True)


@login_required
@require_POST
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    if candidate is None:
        raise Http404
    form = CandidateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to dismiss."))
        return redirect("orgs:verification")
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "confirm":
            removal_confirm(user=request.user, candidate=candidate, note=note)
            messages.success(
                request,
                _("%(name)s is removed; its history is kept.") % {"name": candidate.employer.name},
            )
        else:
            removal_dismiss(user=request.user, candidate=candidate, note=note)
            messages.success(request, _("%(name)s is kept.") % {"name": candidate.employer.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:verification")
