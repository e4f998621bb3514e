"""Register verification pages: upload the register, review and decide removal candidates."""

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
from gonghui.orgs import selectors
from gonghui.orgs.forms import CandidateDecisionForm, RegisterUploadForm
from gonghui.orgs.models import CandidateStatus
from gonghui.orgs.services.verification import (
    register_verify_start,
    removal_confirm,
    removal_dismiss,
)


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Capability.MANAGE_ORG_WORK)
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_ORG_WORK, _("You may not run verifications."))
        if form.is_valid():
            register_verify_start(
                user=request.user,
                upload=form.cleaned_data["file"],
                as_of=form.cleaned_data["as_of"],
            )
            messages.info(
                request, _("The verification is queued; its result appears in the table below.")
            )
            return redirect("orgs:verification")
    status = request.GET.get("status") or CandidateStatus.PENDING
    if status not in CandidateStatus.values:
        status = CandidateStatus.PENDING
    page = Paginator(
        selectors.candidate_list(user=request.user, status=status), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "allowed": allowed,
        "runs": selectors.verification_list(user=request.user)[:10],
        "page": page,
        "status": status,
        "statuses": CandidateStatus.choices,
        "query": f"status={status}",
    }
    return render(request, "orgs/verification.html", context)


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
