"""Staffing, chair elections and standardisation ratings of a subtree (?org=CODE, default the
user's scope), each with its form for officers who may record them."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.audit import audit_record
from gonghui.core.exporting import write_xlsx
from gonghui.core.models import AuditAction
from gonghui.orgs import selectors
from gonghui.orgs.forms import (
    ElectionForm,
    OrgWorkSettingsForm,
    RatingForm,
    RatingItemForm,
    WorkerForm,
)
from gonghui.orgs.models import OrgWorkSettings, RatingGrade, RatingItem, UnionOrg, WorkerKind
from gonghui.orgs.services.configuration import org_work_settings_update, rating_item_save
from gonghui.orgs.services.elections import election_record
from gonghui.orgs.services.ratings import rating_assess
from gonghui.orgs.services.staffing import unionworker_save


def _subtree(request: HttpRequest) -> UnionOrg:
    code = request.GET.get("org")
    org = (
        selectors.org_get(user=request.user, code=code)
        if code
        else selectors.org_scope_root(user=request.user)
    )
    if org is None:
        raise Http404
    return org


def _post(request: HttpRequest, form: Any, save: Any, done: str) -> bool:
    """Validate `form`, resolve its org code inside the user's scope, call `save(org, data)`."""
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    org = selectors.org_get(user=request.user, code=data.pop("org"))
    if org is None:
        form.add_error("org", _("No union org with this code in your scope."))
        return False
    try:
        save(org, data)
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        return False
    messages.success(request, done)
    return True


# --- staffing ---------------------------------------------------------------------------------


@login_required
def staffing(request: HttpRequest) -> HttpResponse:
    org = _subtree(request)
    form = WorkerForm(request.POST or None, initial={"org": org.code})
    if request.method == "POST" and _post(
        request,
        form,
        lambda target, data: unionworker_save(user=request.user, org=target, **data),
        _("The union worker is saved."),
    ):
        return redirect(f"{request.path}?org={org.code}")
    communities = selectors.staffing_communities(user=request.user, org=org)
    page = Paginator(communities, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.worker_counts(user=request.user, org=org)
    context = {
        "org": org,
        "summary": selectors.staffing_summary(user=request.user, org=org),
        "norms": selectors.staffing_norms(list(page)),
        "page": page,
        "query": f"org={org.code}",
        "worker_counts": [(label, counts.get(kind, 0)) for kind, label in WorkerKind.choices],
        "workers": selectors.worker_list(user=request.user, org=org)[:50],
        "form": form,
        "allowed": can(request.user, Capability.MANAGE_ORG_WORK),
        "threshold": OrgWorkSettings.current().staffing_enterprises_for_second,
    }
    return render(request, "orgs/staffing.html", context)


@login_required
def staffing_export(request: HttpRequest) -> FileResponse:
    """The compliance report of every community joint union of the subtree, as XLSX."""
    org = _subtree(request)
    communities = list(selectors.staffing_communities(user=request.user, org=org))

    def rows() -> Iterator[list[str]]:
        yield [
            _("Union code"), _("Community joint union"), _("Enterprises"), _("Required"),
            _("Allowed"), _("Officers in post"), _("Compliant"),
        ]  # fmt: skip
        for start in range(0, len(communities), 2000):
            for norm in selectors.staffing_norms(communities[start : start + 2000]):
                yield [
                    norm.org.code, norm.org.name, str(norm.enterprises), str(norm.required),
                    str(norm.allowed), str(norm.actual), _("Yes") if norm.compliant else _("No"),
                ]  # fmt: skip

    path = write_xlsx(rows(), sheet=str(_("Staffing")))
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        target=org,
        reason="staffing compliance report",
        detail={"communities": len(communities)},
        request=request,
    )
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"staffing-{org.code}.xlsx"
    )
    path.unlink()  # the open handle keeps the data until the response is sent
    return response


# --- chair elections --------------------------------------------------------------------------


@login_required
def elections(request: HttpRequest) -> HttpResponse:
    org = _subtree(request)
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and _post(
        request,
        form,
        lambda target, data: election_record(user=request.user, org=target, **data),
        _("The election is recorded."),
    ):
        return redirect(f"{request.path}?org={org.code}")
    whole, children = selectors.election_rates(user=request.user, org=org)
    today = timezone.localdate()
    page = Paginator(selectors.election_list(user=request.user, org=org), settings.PAGE_SIZE)
    context = {
        "org": org,
        "whole": whole,
        "children": children,
        "ending": selectors.terms_ending(user=request.user, org=org, today=today)[:100],
        "warning_days": OrgWorkSettings.current().election_term_warning_days,
        "page": page.get_page(request.GET.get("page")),
        "query": f"org={org.code}",
        "today": today,
        "form": form,
        "allowed": can(request.user, Capability.MANAGE_ORG_WORK),
    }
    return render(request, "orgs/elections.html", context)


# --- standardisation ratings ------------------------------------------------------------------


@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    org = _subtree(request)
    form = RatingForm(request.POST or None, initial={"assessed_on": timezone.localdate()})

    def save(target: UnionOrg, data: dict[str, Any]) -> None:
        items = data.pop("items")
        rating_assess(
            user=request.user, org=target, met_item_ids=[item.pk for item in items], **data
        )

    if request.method == "POST" and _post(request, form, save, _("The assessment is saved.")):
        return redirect(f"{request.path}?org={org.code}")
    whole, children = selectors.rating_coverage(user=request.user, org=org)
    page = Paginator(selectors.rating_list(user=request.user, org=org), settings.PAGE_SIZE)
    context = {
        "org": org,
        "whole": whole,
        "children": children,
        "grades": RatingGrade.choices,
        "page": page.get_page(request.GET.get("page")),
        "query": f"org={org.code}",
        "form": form,
        "allowed": can(request.user, Capability.MANAGE_ORG_WORK),
    }
    return render(request, "orgs/ratings.html", context)


# --- the rules ----------------------------------------------------------------------------------


@login_required
def work_settings(request: HttpRequest) -> HttpResponse:
    """The rules of organisation work and the rating checklist: everyone reads them, federation
    administrators change them."""
    allowed = can(request.user, Capability.CONFIGURE_ORG_WORK)
    rules = OrgWorkSettings.current()
    form = OrgWorkSettingsForm(instance=rules)
    item_form = RatingItemForm()
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("Only federation administrators may change these rules."))
        try:
            if request.POST.get("form") == "item":
                item_form = RatingItemForm(request.POST)
                if item_form.is_valid():
                    rating_item_save(user=request.user, **item_form.cleaned_data)
                    messages.success(request, _("The checklist item is saved."))
                    return redirect("orgs:work_settings")
            else:
                form = OrgWorkSettingsForm(request.POST, instance=OrgWorkSettings.current())
                if form.is_valid():
                    org_work_settings_update(
                        user=request.user,
                        **{name: form.cleaned_data[name] for name in form.fields},
                    )
                    messages.success(request, _("The rules are saved."))
                    return redirect("orgs:work_settings")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    context = {
        "form": form,
        "item_form": item_form,
        "items": RatingItem.objects.all(),
        "allowed": allowed,
    }
    return render(request, "orgs/work_settings.html", context)
