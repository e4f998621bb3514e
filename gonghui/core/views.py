from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
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
