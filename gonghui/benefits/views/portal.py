"""The worker-facing pages of benefits (mobile-first): my card's items, the catalogue, events
with sign-up, waiting list and check-in, subsidy programmes and my applications.

Every page needs a signed-in member (`gonghui.portal.auth`) and shows that member's own data only:
another member's application or sign-up answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.benefits import selectors
from gonghui.benefits.forms import ApplicationForm, CheckinForm
from gonghui.benefits.models import (
    ItemCategory,
    SubsidyApplication,
    SubsidyProgramme,
    SubsidyStatus,
)
from gonghui.benefits.segments import rules_describe
from gonghui.benefits.services.events import (
    event_check_in,
    event_sign_up,
    event_sign_up_cancel,
    waitlist_position,
)
from gonghui.benefits.services.subsidies import (
    DuplicateCertificate,
    programme_levels,
    subsidy_apply,
    subsidy_correct,
)
from gonghui.benefits.views.catalogue import form_errors
from gonghui.core.ratelimit import rate_limited
from gonghui.members.models import Member
from gonghui.portal.auth import member_required

LIMIT = "portal_benefits"


@rate_limited(LIMIT)
@member_required
def home(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    context = {
        "member": member,
        "card_items": selectors.card_items(member=member),
        "events": selectors.portal_events(member=member)[:5],
        "signups": selectors.member_signups(member=member)[:5],
        "programmes": selectors.programmes_open(member=member),
        "applications": selectors.member_applications(member=member)[:5],
    }
    return render(request, "portal/benefits/home.html", context)


@rate_limited(LIMIT)
@member_required
def catalogue(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    category = request.GET.get("category", "")
    items = selectors.portal_items(member=member, category=category)
    context = {
        "items": [
            (p, rules_describe(p.item.segment.rules) if p.item.segment else []) for p in items
        ],
        "categories": ItemCategory.choices,
        "category": category,
    }
    return render(request, "portal/benefits/catalogue.html", context)


@rate_limited(LIMIT)
@member_required
def events(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    context = {
        "events": selectors.portal_events(member=member),
        "mine": {s.event_id: s for s in selectors.member_signups(member=member)},
    }
    return render(request, "portal/benefits/events.html", context)


def _event_page(
    request: HttpRequest, member: Member, pk: int, checkin_form: CheckinForm | None = None
) -> HttpResponse:
    event = selectors.portal_event(member=member, pk=pk)
    if event is None:
        raise Http404
    signup = selectors.member_signup(member=member, event=event)
    context = {
        "event": event,
        "signup": signup,
        "position": waitlist_position(signup) if signup else 0,
        "audience": rules_describe(event.segment.rules) if event.segment else [],
        "checkin_form": checkin_form or CheckinForm(),
    }
    return render(request, "portal/benefits/event.html", context)


@rate_limited(LIMIT)
@member_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    return _event_page(request, member, pk)


@require_POST
@rate_limited(LIMIT)
@member_required
def event_signup(request: HttpRequest, pk: int) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    event = selectors.portal_event(member=member, pk=pk)
    if event is None:
        raise Http404
    try:
        signup = event_sign_up(event=event, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if signup.status == "confirmed":
            messages.success(request, _("You are signed up."))
        else:
            messages.info(request, _("The event is full: you are on the waiting list."))
    return redirect("benefits:portal_event", pk=event.pk)


@require_POST
@rate_limited(LIMIT)
@member_required
def event_signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    event = selectors.portal_event(member=member, pk=pk)
    signup = selectors.member_signup(member=member, event=event) if event else None
    if signup is None:
        raise Http404
    try:
        event_sign_up_cancel(signup=signup)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your sign-up was cancelled."))
    return redirect("benefits:portal_event", pk=signup.event_id)


@require_POST
@rate_limited(LIMIT)
@member_required
def event_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    event = selectors.portal_event(member=member, pk=pk)
    if event is None:
        raise Http404
    form = CheckinForm(request.POST)
    if form.is_valid():
        try:
            event_check_in(event=event, member=member, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("You are checked in. Enjoy the event!"))
            return redirect("benefits:portal_event", pk=event.pk)
    return _event_page(request, member, pk, checkin_form=form)


@rate_limited(LIMIT)
@member_required
def subsidies(request: HttpRequest) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    programmes = [
        (p, sorted(programme_levels(p).items())) for p in selectors.programmes_open(member=member)
    ]
    context = {
        "programmes": programmes,
        "applications": selectors.member_applications(member=member),
    }
    return render(request, "portal/benefits/subsidies.html", context)


def _application_form_page(
    request: HttpRequest,
    member: Member,
    programme: SubsidyProgramme,
    application: SubsidyApplication | None,
) -> HttpResponse:
    initial = {}
    if application is not None:
        initial = {
            "certificate_no": application.certificate_no,
            "level": application.level,
            "occupation_code": application.occupation.code,
            "issued_on": application.issued_on,
        }
    form = ApplicationForm(
        request.POST or None, request.FILES or None, programme=programme, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if application is None:
                application = subsidy_apply(programme=programme, member=member, **data)
            else:
                application = subsidy_correct(application=application, **data)
        except DuplicateCertificate as exc:
            form.add_error("certificate_no", exc.messages)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("benefits:portal_application", code=application.code)
    context = {
        "form": form,
        "programme": programme,
        "levels": sorted(programme_levels(programme).items()),
        "application": application,
    }
    return render(request, "portal/benefits/apply.html", context)


@rate_limited(LIMIT)
@member_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    programme = selectors.programmes_open(member=member).filter(code=code).first()
    if programme is None:
        raise Http404
    return _application_form_page(request, member, programme, None)


def _mine(member: Member, code: str) -> SubsidyApplication:
    application = selectors.member_applications(member=member).filter(code=code).first()
    if application is None:
        raise Http404
    return application


@rate_limited(LIMIT)
@member_required
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    application = _mine(member, code)
    return render(request, "portal/benefits/application.html", {"application": application})


@rate_limited(LIMIT)
@member_required
def application_correct(request: HttpRequest, code: str) -> HttpResponse:
    member: Member = request.member  # type: ignore[attr-defined]
    application = _mine(member, code)
    if application.status != SubsidyStatus.RETURNED:
        return redirect("benefits:portal_application", code=application.code)
    return _application_form_page(request, member, application.programme, application)


urlpatterns = [
    path("portal/benefits/", home, name="portal_home"),
    path("portal/benefits/items/", catalogue, name="portal_items"),
    path("portal/benefits/events/", events, name="portal_events"),
    path("portal/benefits/events/<int:pk>/", event_detail, name="portal_event"),
    path("portal/benefits/events/<int:pk>/signup/", event_signup, name="portal_event_signup"),
    path(
        "portal/benefits/events/<int:pk>/cancel/", event_signup_cancel, name="portal_event_cancel"
    ),
    path("portal/benefits/events/<int:pk>/checkin/", event_checkin, name="portal_event_checkin"),
    path("portal/benefits/subsidies/", subsidies, name="portal_subsidies"),
    path("portal/benefits/subsidies/<str:code>/apply/", apply, name="portal_apply"),
    path("portal/benefits/applications/<str:code>/", application_detail, name="portal_application"),
    path(
        "portal/benefits/applications/<str:code>/correct/",
        application_correct,
        name="portal_application_correct",
    ),
]
