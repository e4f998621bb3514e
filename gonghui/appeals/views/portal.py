"""The worker-facing appeal pages: file an appeal, follow it, rate the reply (mobile-first).

Phones and ID numbers are never echoed back into a form. An appeal is shown only to whoever
gives its tracking code with the last four digits of its phone.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from gonghui.appeals.forms import FollowForm, PortalAppealForm, RateForm
from gonghui.appeals.models import Appeal
from gonghui.appeals.services.intake import tracking_code_normalize
from gonghui.appeals.services.portal import appeal_lookup, appeal_portal_submit
from gonghui.appeals.services.workflow import appeal_rate
from gonghui.core.ratelimit import rate_limited
from gonghui.core.validators import normalize_mobile

SESSION_CODE = "appeal_tracking_code"


@rate_limited("portal_appeal", keys={"phone": normalize_mobile})
def portal_new(request: HttpRequest) -> HttpResponse:
    form = PortalAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = appeal_portal_submit(
                name=data["name"],
                phone=data["phone"],
                nature=data["nature"],
                category_code=data["category"],
                employer=data["employer"],
                workers_involved=data["workers_involved"],
                content=data["content"],
                upload=data["file"],
                language="en" if (get_language() or "").startswith("en") else "zh-hans",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                field = "employer" if field.startswith("employer") else field
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[SESSION_CODE] = appeal.tracking_code
            return redirect("appeals:portal_done")
    return render(request, "portal/appeals/new.html", {"form": form})


@require_GET
@rate_limited("portal_appeal_follow", keys={"code": tracking_code_normalize}, methods=("GET",))
def portal_done(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_CODE)
    appeal = Appeal.objects.filter(tracking_code=code).first() if code else None
    if appeal is None:
        return redirect("appeals:portal_new")
    return render(request, "portal/appeals/done.html", {"appeal": appeal})


@rate_limited("portal_appeal_follow", keys={"code": tracking_code_normalize})
def portal_follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST or None)
    appeal, not_found = None, False
    if request.method == "POST" and form.is_valid():
        appeal = appeal_lookup(
            code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"]
        )
        not_found = appeal is None
    return render(request, "portal/appeals/follow.html", _follow_context(form, appeal, not_found))


def _follow_context(form: FollowForm, appeal: Appeal | None, not_found: bool) -> dict:
    rate_form = None
    if appeal is not None and appeal.status in ("replied", "callback", "closed"):
        already = appeal.rated_at and appeal.replied_at and appeal.rated_at >= appeal.replied_at
        if not already:
            rate_form = RateForm(
                initial={"code": appeal.tracking_code, "last4": form.cleaned_data["last4"]}
            )
    return {"form": form, "appeal": appeal, "not_found": not_found, "rate_form": rate_form}


@require_POST
@rate_limited("portal_appeal_follow", keys={"code": tracking_code_normalize})
def portal_rate(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST)
    appeal = None
    if form.is_valid():
        appeal = appeal_lookup(
            code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"]
        )
    if appeal is None:
        return render(
            request, "portal/appeals/follow.html",
            {"form": FollowForm(), "appeal": None, "not_found": True, "rate_form": None},
            status=400,
        )  # fmt: skip
    error = ""
    try:
        appeal = appeal_rate(appeal=appeal, satisfaction=form.cleaned_data["satisfaction"])
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request, "portal/appeals/rated.html", {"appeal": appeal, "error": error},
        status=400 if error else 200,
    )  # fmt: skip


urlpatterns = [
    path("portal/appeals/new/", portal_new, name="portal_new"),
    path("portal/appeals/done/", portal_done, name="portal_done"),
    path("portal/appeals/follow/", portal_follow, name="portal_follow"),
    path("portal/appeals/rate/", portal_rate, name="portal_rate"),
]
