"""Pages of the SMS broadcasts: list, write, check the audience, send."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.benefits.models import Segment
from gonghui.benefits.selectors import segment_list
from gonghui.core.forms import StyledForm
from gonghui.notify import selectors
from gonghui.notify.broadcast_services import (
    TEXT_MAX,
    broadcast_audience_count,
    broadcast_body,
    broadcast_cancel,
    broadcast_create,
    broadcast_queue,
)
from gonghui.notify.models import Broadcast, BroadcastStatus

app_name = "notify"


class BroadcastForm(StyledForm):
    org = forms.CharField(
        label=gettext_lazy("Union code of the audience"),
        max_length=32,
        help_text=gettext_lazy("The active members with a phone in this union's subtree."),
    )
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Only the members of this segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=gettext_lazy("All of them"),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
        help_text=gettext_lazy(
            "Sent with your federation's name in 【】 and 'reply T to unsubscribe'."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment: Any = self.fields["segment"]
        segment.queryset = segment_list(user=user)


@login_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.broadcast_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/broadcasts.html",
        {"page": page, "can_send": can(request.user, Capability.SEND_BROADCASTS)},
    )


@login_required
def broadcast_new(request: HttpRequest) -> HttpResponse:
    scope_org = getattr(request.user, "scope_org", None)
    form = BroadcastForm(
        request.POST or None,
        initial={"org": scope_org.code if scope_org else ""},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        org = selectors.broadcast_org(user=request.user, code=form.cleaned_data["org"])
        if org is None:
            form.add_error("org", _("No union with this code in your scope."))
        else:
            try:
                broadcast = broadcast_create(
                    user=request.user,
                    org=org,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    segment=form.cleaned_data["segment"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("notify:broadcast", broadcast.pk)
    return render(request, "notify/broadcast_new.html", {"form": form})


@login_required
@require_GET
def broadcast_audience(request: HttpRequest) -> HttpResponse:
    """The live count under the form (HTMX): how many messages the audience would get."""
    org = selectors.broadcast_org(user=request.user, code=request.GET.get("org", ""))
    raw = request.GET.get("segment", "")
    segment = segment_list(user=request.user).filter(pk=raw).first() if raw.isdigit() else None
    count = broadcast_audience_count(org=org, segment=segment) if org is not None else None
    return render(
        request, "notify/_audience.html", {"org": org, "segment": segment, "count": count}
    )


def _broadcast(request: HttpRequest, pk: int) -> Broadcast:
    broadcast = selectors.broadcast_get(user=request.user, pk=pk)
    if broadcast is None:
        raise Http404
    return broadcast


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(request, pk)
    draft = broadcast.status == BroadcastStatus.DRAFT
    context = {
        "broadcast": broadcast,
        "body": broadcast_body(broadcast),
        "audience": (
            broadcast_audience_count(org=broadcast.org, segment=broadcast.segment)
            if draft
            else None
        ),
        "delivery": None if draft else selectors.broadcast_delivery(broadcast=broadcast),
        "can_send": draft and can(request.user, Capability.SEND_BROADCASTS),
    }
    return render(request, "notify/broadcast.html", context)


@login_required
@require_POST
def broadcast_send(request: HttpRequest, pk: int) -> HttpResponse:
    _broadcast(request, pk)
    try:
        broadcast_queue(user=request.user, pk=pk, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The broadcast is being queued for sending."))
    return redirect("notify:broadcast", pk)


@login_required
@require_POST
def broadcast_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    _broadcast(request, pk)
    try:
        broadcast_cancel(user=request.user, pk=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The draft was cancelled."))
    return redirect("notify:broadcast", pk)


urlpatterns = [
    path("broadcasts/", broadcast_list, name="broadcasts"),
    path("broadcasts/new/", broadcast_new, name="broadcast_new"),
    path("broadcasts/audience/", broadcast_audience, name="broadcast_audience"),
    path("broadcasts/<int:pk>/", broadcast_detail, name="broadcast"),
    path("broadcasts/<int:pk>/send/", broadcast_send, name="broadcast_send"),
    path("broadcasts/<int:pk>/cancel/", broadcast_cancel_view, name="broadcast_cancel"),
]
