"""Establishment supervision pages: the list with counts per district, one item, follow-ups."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.orgs import selectors
from gonghui.orgs.forms import FollowUpForm, SupervisionFilterForm
from gonghui.orgs.models import OrgWorkSettings
from gonghui.orgs.services.supervision import supervision_followup_add, supervision_rebuild


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    root = selectors.org_scope_root(user=request.user)
    if root is None:
        raise Http404
    if request.method == "POST":
        try:
            done = supervision_rebuild(scope_org=root, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "%(listed)d employers listed, %(closed)d items closed, "
                    "%(active)d under supervision."
                )
                % {"listed": done.listed, "closed": done.closed, "active": done.active},
            )
        return redirect("orgs:supervision")
    form = SupervisionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.supervision_list(
        user=request.user, status=filters.get("status"), org_code=filters.get("org")
    )
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "root": root,
        "counts": selectors.supervision_counts(user=request.user, parent=root, today=today),
        "today": today,
        "rules": OrgWorkSettings.current(),
        "allowed": can(request.user, Capability.MANAGE_ORG_WORK),
    }
    return render(request, "orgs/supervision.html", context)


@login_required
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.supervision_get(user=request.user, pk=pk)
    if item is None:
        raise Http404
    context = {
        "item": item,
        "follow_ups": item.follow_ups.select_related("created_by"),
        "form": FollowUpForm(initial={"happened_on": timezone.localdate()}),
        "allowed": can(request.user, Capability.MANAGE_ORG_WORK) and item.is_active,
        "today": timezone.localdate(),
    }
    return render(request, "orgs/supervision_detail.html", context)


@login_required
@require_POST
def supervision_followup(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.supervision_get(user=request.user, pk=pk)
    if item is None:
        raise Http404
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            supervision_followup_add(user=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The follow-up is recorded."))
    else:
        messages.error(request, _("Fill in the date, kind and outcome."))
    return redirect("orgs:supervision_item", pk=item.pk)
