"""Back office: purchased projects and social organisations; events and their sign-ups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can, require
from gonghui.benefits import selectors
from gonghui.benefits.forms import (
    EvaluationForm,
    EventForm,
    ProjectForm,
    SessionForm,
    SocialOrgForm,
)
from gonghui.benefits.models import Event, ServiceProject
from gonghui.benefits.services.events import event_cancel, event_save, signup_mark_attended
from gonghui.benefits.services.projects import (
    project_create,
    project_evaluate,
    session_add,
    social_org_create,
)
from gonghui.benefits.views.catalogue import form_errors


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.project_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "stats": selectors.project_stats(user=request.user),
        "can_manage": can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/projects.html", context)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not register projects."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = project_create(
                    org=data["org"], organisation=data["organisation"], name=data["name"],
                    contract_amount=data["contract_amount"], starts_on=data["starts_on"],
                    ends_on=data["ends_on"], planned_sessions=data["planned_sessions"],
                    segment=data["segment"],
                )  # fmt: skip
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The project was registered."))
                return redirect("benefits:project", pk=project.pk)
    return render(request, "benefits/project_form.html", {"form": form})


def _project(request: HttpRequest, pk: int) -> ServiceProject:
    project = selectors.project_get(user=request.user, pk=pk)
    if project is None:
        raise Http404
    return project


def _project_page(request: HttpRequest, project: ServiceProject, **forms: object) -> HttpResponse:
    context = {
        "project": project,
        "sessions": selectors.project_sessions(project=project),
        "session_form": forms.get("session_form") or SessionForm(),
        "evaluation_form": forms.get("evaluation_form")
        or EvaluationForm(
            initial={"score": project.evaluation_score, "evaluation": project.evaluation}
        ),
        "can_manage": can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/project.html", context, status=400 if forms else 200)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, _project(request, pk))


@login_required
@require_POST
def project_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    require(request.user, Capability.MANAGE_BENEFITS, _("You may not record sessions."))
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session_add(project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The session was recorded."))
            return redirect("benefits:project", pk=project.pk)
    return _project_page(request, project, session_form=form)


@login_required
@require_POST
def project_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    require(request.user, Capability.MANAGE_BENEFITS, _("You may not evaluate projects."))
    form = EvaluationForm(request.POST)
    if form.is_valid():
        project_evaluate(project=project, **form.cleaned_data)
        messages.success(request, _("The evaluation was saved."))
        return redirect("benefits:project", pk=project.pk)
    return _project_page(request, project, evaluation_form=form)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = SocialOrgForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not register organisations."))
        if form.is_valid():
            try:
                social_org_create(**form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The organisation was registered."))
                return redirect("benefits:organisations")
    context = {
        "organisations": selectors.social_org_list(user=request.user),
        "form": form,
        "can_manage": can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/organisations.html", context)


# --- events -------------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.event_list(user=request.user), 50).get_page(request.GET.get("page"))
    context = {"page": page, "can_manage": can(request.user, Capability.MANAGE_BENEFITS)}
    return render(request, "benefits/events.html", context)


def _event(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_get(user=request.user, pk=pk)
    if event is None:
        raise Http404
    return event


def _event_form_page(request: HttpRequest, event: Event | None) -> HttpResponse:
    initial = {}
    if event is not None:
        initial = {
            "org": event.org.code, "title": event.title, "kind": event.kind,
            "starts_at": event.starts_at, "place": event.place, "capacity": event.capacity,
            "description": event.description, "segment": event.segment_id,
        }  # fmt: skip
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not change events."))
        if form.is_valid():
            try:
                saved = event_save(event=event, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The event was saved."))
                return redirect("benefits:event", pk=saved.pk)
    context = {
        "form": form,
        "event": event,
        "signups": selectors.event_signups(event=event) if event is not None else [],
        "can_manage": can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/event.html", context)


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, _event(request, pk))


@login_required
@require_POST
def event_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    require(request.user, Capability.MANAGE_BENEFITS, _("You may not cancel events."))
    event_cancel(user=request.user, event=event)
    messages.success(request, _("The event was cancelled."))
    return redirect("benefits:event", pk=event.pk)


@login_required
@require_POST
def signup_attended(request: HttpRequest, pk: int) -> HttpResponse:
    signup = selectors.signup_get(user=request.user, pk=pk)
    if signup is None:
        raise Http404
    require(request.user, Capability.MANAGE_BENEFITS, _("You may not record attendance."))
    try:
        signup_mark_attended(signup=signup)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("benefits:event", pk=signup.event_id)


urlpatterns = [
    path("benefits/projects/", project_list, name="projects"),
    path("benefits/projects/new/", project_new, name="project_new"),
    path("benefits/projects/<int:pk>/", project_detail, name="project"),
    path("benefits/projects/<int:pk>/sessions/", project_session_add, name="project_session_add"),
    path("benefits/projects/<int:pk>/evaluation/", project_evaluation, name="project_evaluation"),
    path("benefits/organisations/", organisation_list, name="organisations"),
    path("benefits/events/", event_list, name="events"),
    path("benefits/events/new/", event_new, name="event_new"),
    path("benefits/events/<int:pk>/", event_detail, name="event"),
    path("benefits/events/<int:pk>/cancel/", event_cancel_view, name="event_cancel"),
    path("benefits/signups/<int:pk>/attended/", signup_attended, name="signup_attended"),
]
