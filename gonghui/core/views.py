from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("orgs:tree")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness that proves the database answers; load balancers poll it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready", whatever its class
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def api_error(request: HttpRequest, message: str, *, status: int) -> JsonResponse | None:
    """The error answer of a request to the API, in JSON as its schema promises (its clients
    parse every answer so); None for a page's, which gets the site's own page instead."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 that Django raises itself (a Host header not in ALLOWED_HOSTS, a malformed request).
    A page's is rendered without the request, whose host is what may be wrong."""
    message = _("The request could not be understood (for example, an unknown Host header).")
    return api_error(request, message, status=400) or defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for an address no view answers."""
    return api_error(request, _("No such API endpoint."), status=404) or defaults.page_not_found(
        request, exception
    )
