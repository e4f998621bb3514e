"""Refuse requests carrying a NUL character, which no field of the product can hold.

PostgreSQL text cannot contain NUL (0x00): a NUL in a search term, a path parameter or a JSON
string would reach a query and fail there as a server error. Django's form fields already refuse
it; this covers what does not go through a form (API parameters and bodies, HTMX lookups).
File uploads (multipart) are not looked at: spreadsheets are binary.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from gonghui.core.views import api_error

_JSON_NUL = (b"\\u0000", b"\\U0000")


def _carries_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path or "%00" in query or "\x00" in query:
        return True
    if request.content_type == "application/json":
        body = request.body
        return b"\x00" in body or any(escape in body for escape in _JSON_NUL)
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            message = _("The request contains a NUL character, which no field accepts.")
            return api_error(request, message, status=400) or HttpResponseBadRequest(message)
        return self.get_response(request)
