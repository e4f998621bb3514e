"""Member card actions (issue, report lost, reissue, cancel) and issuing cards to a whole union.

The actions answer HTMX with the re-rendered cards panel of the member page (errors shown in
it), and a plain form post with a redirect to the member page and a message.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can
from gonghui.members import selectors
from gonghui.members.models import Member, MemberCard
from gonghui.members.services.cards import (
    card_bulk_issue,
    card_cancel,
    card_issue,
    card_reissue,
    card_report_lost,
)
from gonghui.orgs.selectors import org_get


def _answer(
    request: HttpRequest,
    member: Member,
    act: Callable[[], object],
    done: str,
) -> HttpResponse:
    """Run a card service; answer with the cards panel (HTMX) or a redirect and a message."""
    error = ""
    try:
        act()
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = {
            "member": member,
            "cards": selectors.member_cards(user=request.user, member=member),
            "can_manage": can(request.user, Capability.MANAGE_MEMBERS),
            "card_error": error,
            "card_notice": "" if error else done,
        }
        return render(request, "members/_cards.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("members:detail", pk=member.pk)


def _card(request: HttpRequest, pk: int) -> MemberCard:
    card = selectors.card_list(user=request.user).filter(pk=pk).first()
    if card is None:
        raise Http404
    return card


@login_required
@require_POST
def card_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    if member is None:
        raise Http404
    return _answer(
        request,
        member,
        lambda: card_issue(user=request.user, member=member),
        _("The card was issued."),
    )


@login_required
@require_POST
def card_lost_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    return _answer(
        request,
        card.member,
        lambda: card_report_lost(user=request.user, card=card),
        _("The card was reported lost."),
    )


@login_required
@require_POST
def card_reissue_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    return _answer(
        request,
        card.member,
        lambda: card_reissue(user=request.user, card=card),
        _("A new card was issued in place of the old one."),
    )


@login_required
@require_POST
def card_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    reason = request.POST.get("reason", "")
    return _answer(
        request,
        card.member,
        lambda: card_cancel(user=request.user, card=card, reason=reason),
        _("The card was cancelled."),
    )


@login_required
def cards_bulk(request: HttpRequest) -> HttpResponse:
    """GET: the form (an org code, prefilled); POST: issue cards to everyone in that subtree."""
    scope_org = getattr(request.user, "scope_org", None)
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("org", "").strip() or (scope_org.code if scope_org else "")
    context = {"org_code": code, "can_manage": can(request.user, Capability.MANAGE_MEMBERS)}
    if request.method != "POST":
        return render(request, "members/cards_bulk.html", context)
    org = org_get(user=request.user, code=code)
    if org is None:
        context["error"] = _("No union with the code “%(code)s” in your scope.") % {"code": code}
        return render(request, "members/cards_bulk.html", context, status=404)
    count = card_bulk_issue(user=request.user, org=org)
    message = ngettext(
        "%(count)d card was issued to the members of %(org)s.",
        "%(count)d cards were issued to the members of %(org)s.",
        count,
    )
    messages.success(request, message % {"count": count, "org": org.name})
    return redirect(f"{reverse('members:cards_bulk')}?{urlencode({'org': org.code})}")


urlpatterns = [
    path("members/<int:pk>/card/issue/", card_issue_view, name="card_issue"),
    path("members/cards/<int:pk>/lost/", card_lost_view, name="card_lost"),
    path("members/cards/<int:pk>/reissue/", card_reissue_view, name="card_reissue"),
    path("members/cards/<int:pk>/cancel/", card_cancel_view, name="card_cancel"),
    path("members/cards/bulk/", cards_bulk, name="cards_bulk"),
]
