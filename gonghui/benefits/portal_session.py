"""Who the signed-in worker is, on the portal pages of benefits.

The portal's sign-in (phone + SMS one-time code) stores the member's id in the session under
`portal_member_id`. After merging, the lead switches `portal_member` to
`gonghui.portal.auth.current_member`, and the redirect to its named login route.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode

from gonghui.members.models import Member, MemberStatus

SESSION_KEY = "portal_member_id"
LOGIN_PATH = "/portal/login/"


def portal_member(request: HttpRequest) -> Member | None:
    """The signed-in member (None when nobody is, or the member is no longer active)."""
    member_id = request.session.get(SESSION_KEY)
    if not member_id:
        return None
    return (
        Member.objects.select_related("org", "employer")
        .filter(pk=member_id)
        .exclude(status=MemberStatus.DECEASED)
        .first()
    )


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in member to the view as `member`; send anyone else to sign in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = portal_member(request)
        if member is None:
            return HttpResponseRedirect(
                f"{LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}"
            )
        return view(request, *args, member=member, **kwargs)

    return wrapper
