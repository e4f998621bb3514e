"""Who the worker on the portal is. CONTRACT for every app with portal pages:

- after sign-in, `request.session["portal_member_id"]` holds the signed-in Member's id;
- `current_member(request)` returns that Member (None when nobody is signed in, or the member
  was since removed);
- `@member_required` sends anyone not signed in to `portal:login` (with `?next=` back), and
  answers a signed-in member's request with `request.member` set.

Staff accounts and portal members are separate: a staff login is not a portal sign-in.
"""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from gonghui.members.models import Member, MemberStatus

SESSION_KEY = "portal_member_id"
View = Callable[..., HttpResponse]


def current_member(request: HttpRequest) -> Member | None:
    cached = getattr(request, "_portal_member", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    member_id = request.session.get(SESSION_KEY)
    member = None
    if isinstance(member_id, int):
        member = (
            Member.objects.select_related("org", "employer")
            .exclude(status=MemberStatus.DECEASED)
            .filter(pk=member_id)
            .first()
        )
    request._portal_member = member  # type: ignore[attr-defined]
    return member


def sign_in(request: HttpRequest, member: Member) -> None:
    """Start a fresh session for `member` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = member.pk
    request._portal_member = member  # type: ignore[attr-defined]


def sign_out(request: HttpRequest) -> None:
    request.session.flush()
    request._portal_member = None  # type: ignore[attr-defined]


def login_url(next_url: str | None = None) -> str:
    url = reverse("portal:login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def member_required(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = current_member(request)
        if member is None:
            return redirect(login_url(request.get_full_path() if request.method == "GET" else None))
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
