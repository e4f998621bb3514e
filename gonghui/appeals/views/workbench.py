"""The back office of the appeal line: workbench queues, hotline intake, appeal detail, actions.

Views parse, call a selector or a service, render. Every object is read through the scoped
selectors, so another district's appeal answers 404 whatever the URL.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.accounts.models import User
from gonghui.appeals import selectors
from gonghui.appeals.forms import IntakeForm, WorkbenchFilterForm
from gonghui.appeals.models import Appeal, Difficulty, Satisfaction
from gonghui.appeals.services import workflow as wf
from gonghui.appeals.services.alerts import alert_acknowledge
from gonghui.appeals.services.attachments import appeal_attach
from gonghui.appeals.services.intake import NotInScope, appeal_intake
from gonghui.appeals.services.machine import allowed_actions
from gonghui.appeals.sla import sla_badges
from gonghui.core.calendar_services import calendar_year_missing
from gonghui.core.scoping import scoped
from gonghui.orgs.models import UnionOrg

QUEUE_LABELS = {
    "mine": gettext_lazy("Mine"),
    "org": gettext_lazy("My org"),
    "due_today": gettext_lazy("Due today"),
    "overdue": gettext_lazy("Overdue"),
    "supervised": gettext_lazy("Under supervision"),
    "callback": gettext_lazy("Awaiting callback"),
    "all": gettext_lazy("All"),
}


def _appeal(request: HttpRequest, tracking_code: str) -> Appeal:
    appeal = selectors.appeal_get(user=request.user, tracking_code=tracking_code)
    if appeal is None:
        raise Http404
    return appeal


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


# --- workbench ----------------------------------------------------------------------------------


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    queue = request.GET.get("queue", "mine")
    if queue not in selectors.QUEUES:
        queue = "mine"
    form = WorkbenchFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    appeals = selectors.appeal_list(
        user=request.user,
        status=data.get("status") or None,
        channel=data.get("channel") or None,
        category=data.get("category") or None,
        org_code=data.get("org") or None,
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        queue=queue,
        today=today,
    )
    page = Paginator(appeals, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(zip(page, sla_badges(list(page), today=today), strict=True))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.queue_counts(user=request.user, today=today)
    scope_org = getattr(request.user, "scope_org", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "queue": queue,
        "queues": [(name, str(QUEUE_LABELS[name]), counts.get(name)) for name in selectors.QUEUES],
        "alerts": selectors.alert_list(user=request.user)[:20],
        "handlers": selectors.handlers_of(user=request.user, org=scope_org) if scope_org else [],
        "scope_org": scope_org,
        "can_handle": can(request.user, Capability.HANDLE_APPEALS),
        "calendar_missing": calendar_year_missing(today=today),
    }
    template = "appeals/_workbench_table.html" if request.htmx else "appeals/workbench.html"
    return render(request, template, context)


@login_required
@require_POST
def bulk_assign(request: HttpRequest, code: str) -> HttpResponse:
    """Assign the ticked appeals of one org to one of its handlers."""
    org = scoped(UnionOrg.objects.all(), user=request.user).filter(code=code).first()
    if org is None:
        raise Http404
    handler = (
        selectors.handlers_of(user=request.user, org=org)
        .filter(pk=request.POST.get("handler") or 0)
        .first()
    )
    codes = request.POST.getlist("appeal")
    chosen = selectors.appeal_list(user=request.user).filter(tracking_code__in=codes, org=org)
    done, refused = 0, []
    for appeal in chosen:
        try:
            wf.appeal_assign(user=request.user, appeal=appeal, handler=handler)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{appeal.tracking_code}: {' '.join(_messages(exc))}")
    if done:
        messages.success(request, _("%(n)d appeals assigned.") % {"n": done})
    for line in refused:
        messages.error(request, line)
    if handler is None and codes:
        messages.error(request, _("Choose a handler of %(org)s.") % {"org": org.name})
    # Back to the same queue and filters (a query string only: never another site).
    return redirect(f"{reverse('appeals:workbench')}?{request.POST.get('query', '')}")


def _messages(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", [str(exc)]))


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    if alert is None:
        raise Http404
    try:
        alert_acknowledge(user=request.user, alert=alert)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    if request.htmx:
        return HttpResponse("")
    return redirect("appeals:workbench")


# --- hotline intake -----------------------------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.HANDLE_APPEALS) or request.user.scope_org is None:
        raise PermissionDenied(_("Your role may not take in appeals."))
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employer = data["employer"].strip()
        try:
            appeal = appeal_intake(
                channel=data["channel"],
                nature=data["nature"],
                category_code=data["category"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                employer_uscc=employer if _looks_like_uscc(employer) else "",
                employer_name="" if _looks_like_uscc(employer) else employer,
                workers_involved=data["workers_involved"],
                urgent=data["urgent"],
                difficulty=data["difficulty"],
                intake_org=request.user.scope_org,
                actor=request.user,
                language=_language(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                field = "employer" if field.startswith("employer") else field
                form.add_error(field if field in form.fields else None, errors)
        except NotInScope:
            form.add_error("employer", _("This employer is outside your organisation's scope."))
        else:
            messages.success(request, _("Appeal %(code)s filed.") % {"code": appeal.tracking_code})
            return redirect("appeals:detail", tracking_code=appeal.tracking_code)
    return render(request, "appeals/intake.html", {"form": form})


def _looks_like_uscc(text: str) -> bool:
    return len(text) == 18 and text.isascii() and text.isalnum()


@login_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """HTMX partial: the caller's member record and appeals of the last 30 days, masked."""
    record = selectors.caller_lookup(
        user=request.user, phone=request.GET.get("phone", ""), today=timezone.localdate()
    )
    return render(request, "appeals/_caller.html", {"record": record})


@login_required
@require_GET
def employers(request: HttpRequest) -> HttpResponse:
    """HTMX partial: employer suggestions (a datalist) for the intake form."""
    found = selectors.employer_search(user=request.user, q=request.GET.get("employer", ""))
    return render(request, "appeals/_employer_options.html", {"employers": found})


# --- one appeal ----------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "appeal": appeal,
        "sla": sla_badges([appeal], today=today)[0],
        "timeline": selectors.appeal_timeline(appeal),
        "attachments": appeal.attachments.all(),
        "actions": set(allowed_actions(appeal.status))
        if can(request.user, Capability.HANDLE_APPEALS)
        else set(),
        "handlers": selectors.handlers_of(user=request.user, org=appeal.org),
        "satisfactions": Satisfaction.choices,
        "difficulties": Difficulty.choices,
    }


@login_required
@require_GET
def detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    appeal = _appeal(request, tracking_code)
    return render(request, "appeals/detail.html", _detail_context(request, appeal))


def _handler(request: HttpRequest, appeal: Appeal) -> User | None:
    return (
        selectors.handlers_of(user=request.user, org=appeal.org)
        .filter(pk=request.POST.get("handler") or 0)
        .first()
    )


def _org(request: HttpRequest) -> UnionOrg:
    org = UnionOrg.objects.filter(code=request.POST.get("org", "").strip()).first()
    if org is None:
        raise ValidationError({"org": [_("No union has this code.")]})
    return org


def _into(request: HttpRequest) -> Appeal:
    target = selectors.appeal_get(user=request.user, tracking_code=request.POST.get("into", ""))
    if target is None:
        raise ValidationError({"into": [_("No appeal with this tracking code in your scope.")]})
    return target


Act = Callable[[HttpRequest, Appeal], Appeal]
ACTIONS: dict[str, Act] = {
    "dispatch": lambda r, a: wf.appeal_dispatch(user=r.user, appeal=a, handler=_handler(r, a)),
    "reassign": lambda r, a: wf.appeal_reassign(user=r.user, appeal=a, handler=_handler(r, a)),
    "accept": lambda r, a: wf.appeal_accept(user=r.user, appeal=a),
    "start": lambda r, a: wf.appeal_start(user=r.user, appeal=a),
    "return": lambda r, a: wf.appeal_return(user=r.user, appeal=a, reason=r.POST.get("reason", "")),
    "transfer": lambda r, a: wf.appeal_transfer(
        user=r.user, appeal=a, org=_org(r), reason=r.POST.get("reason", "")
    ),
    "supervise": lambda r, a: wf.appeal_supervise(
        user=r.user, appeal=a, note=r.POST.get("note", "")
    ),
    "reclassify": lambda r, a: wf.appeal_reclassify(
        user=r.user, appeal=a, difficulty=r.POST.get("difficulty", ""), note=r.POST.get("note", "")
    ),
    "reply": lambda r, a: wf.appeal_reply(
        user=r.user, appeal=a, text=r.POST.get("text", ""), language=_language()
    ),
    "callback": lambda r, a: wf.appeal_callback(
        user=r.user, appeal=a, satisfaction=r.POST.get("satisfaction", ""),
        note=r.POST.get("note", ""),
    ),
    "reopen": lambda r, a: wf.appeal_reopen(user=r.user, appeal=a, reason=r.POST.get("reason", "")),
    "close": lambda r, a: wf.appeal_close(user=r.user, appeal=a),
    "merge": lambda r, a: wf.appeal_merge(
        user=r.user, appeal=a, into=_into(r), note=r.POST.get("note", "")
    ),
}  # fmt: skip


@login_required
@require_POST
def act(request: HttpRequest, tracking_code: str, action: str) -> HttpResponse:
    appeal = _appeal(request, tracking_code)
    if action not in ACTIONS:
        raise Http404
    status = 200
    try:
        appeal = ACTIONS[action](request, appeal)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_messages(exc)))
        status = 400
        appeal = _appeal(request, tracking_code)
    else:
        messages.success(request, _("Done."))
    if not request.htmx:
        return redirect("appeals:detail", tracking_code=appeal.tracking_code)
    if not selectors.appeal_get(user=request.user, tracking_code=appeal.tracking_code):
        # Transferred or returned out of this user's subtree: nothing more to show here.
        return render(request, "appeals/_gone.html", {"appeal": appeal})
    return render(request, "appeals/_panel.html", _detail_context(request, appeal), status=status)


@login_required
@require_POST
def attach(request: HttpRequest, tracking_code: str) -> HttpResponse:
    appeal = _appeal(request, tracking_code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            appeal_attach(appeal=appeal, upload=upload, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(_messages(exc)))
        else:
            messages.success(request, _("File attached."))
    return redirect("appeals:detail", tracking_code=appeal.tracking_code)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.attachment_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


urlpatterns = [
    path("appeals/", workbench, name="workbench"),
    path("appeals/new/", intake, name="intake"),
    path("appeals/caller/", caller, name="caller"),
    path("appeals/employers/", employers, name="employers"),
    path("appeals/orgs/<str:code>/assign/", bulk_assign, name="bulk_assign"),
    path("appeals/alerts/<int:pk>/acknowledge/", alert_ack, name="alert_ack"),
    path("appeals/attachments/<int:pk>/", attachment, name="attachment"),
    path("appeals/<str:tracking_code>/", detail, name="detail"),
    path("appeals/<str:tracking_code>/attach/", attach, name="attach"),
    path("appeals/<str:tracking_code>/<str:action>/", act, name="act"),
]
