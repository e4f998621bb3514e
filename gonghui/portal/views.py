"""The worker portal: sign in with phone + SMS code, the mobile-first home, sign out.

The phone waiting for its code is kept in the session encrypted (gonghui.core.pii), never in
a page: no page of the portal shows a full phone number.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.benefits import selectors as benefits
from gonghui.core import pii
from gonghui.core.ratelimit import rate_limited
from gonghui.core.validators import normalize_mobile
from gonghui.places import selectors as places
from gonghui.portal import selectors
from gonghui.portal.auth import current_member, member_required, sign_in, sign_out
from gonghui.portal.forms import CodeForm, PhoneForm
from gonghui.portal.services import CodeTooSoon, sign_in_code_send, sign_in_code_verify

app_name = "portal"
PENDING_PHONE = "portal_pending_phone"
PENDING_NEXT = "portal_pending_next"


def _safe_next(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@rate_limited("portal_code", keys={"phone": normalize_mobile})
def login(request: HttpRequest) -> HttpResponse:
    if current_member(request) is not None:
        return redirect("portal:home")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        language = "en" if (get_language() or "").startswith("en") else "zh-hans"
        try:
            sign_in_code_send(phone=phone, language=language)
        except CodeTooSoon as exc:
            messages.info(
                request,
                _("A code was sent moments ago: use it, or ask again in %(n)d seconds.")
                % {"n": exc.seconds},
            )
        request.session[PENDING_PHONE] = pii.encrypt(phone)
        request.session[PENDING_NEXT] = _safe_next(request, request.GET.get("next"))
        return redirect("portal:verify")
    return render(request, "portal/login.html", {"form": form})


@rate_limited("portal_verify")
def verify(request: HttpRequest) -> HttpResponse:
    token = request.session.get(PENDING_PHONE)
    if not token:
        return redirect("portal:login")
    phone = pii.decrypt(token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = sign_in_code_verify(phone=phone, code=form.cleaned_data["code"])
        if member is not None:
            next_url = request.session.pop(PENDING_NEXT, None)
            request.session.pop(PENDING_PHONE, None)
            sign_in(request, member)
            return redirect(_safe_next(request, next_url) or "portal:home")
        form.add_error(
            "code",
            ValidationError(
                _(
                    "This code is wrong, used or expired, or this phone is not registered "
                    "with a member. Ask for a new code."
                )
            ),
        )
    return render(
        request, "portal/verify.html", {"form": form, "phone_masked": pii.mask_phone(phone)}
    )


@require_POST
@rate_limited("portal_member")
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:login")


@rate_limited("portal_member", methods=("GET", "POST"))
@member_required
def home(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    card = selectors.member_card(member)
    context = {
        "member": member,
        "card": card,
        "card_number": selectors.mask_card_number(card.number) if card else "",
        "bookings": places.member_bookings(member=member)[:10],
        "appeals": selectors.member_appeals(member)[:10],
        "application": selectors.member_join_application(member),
        "card_items": benefits.card_items(member=member)[:8],
        "signups": benefits.member_signups(member=member)[:5],
        "programmes": benefits.programmes_open(member=member)[:3],
        "subsidy_applications": benefits.member_applications(member=member)[:5],
    }
    return render(request, "portal/home.html", context)


urlpatterns = [
    path("portal/", home, name="home"),
    path("portal/sign-in/", login, name="login"),
    path("portal/sign-in/code/", verify, name="verify"),
    path("portal/sign-out/", logout, name="logout"),
]
