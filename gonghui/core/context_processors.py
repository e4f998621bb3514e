from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """`csp_nonce` for templates, the name django-htmx's {% htmx_script %} looks for.

    Lazy: a page that never prints it keeps a Content-Security-Policy without a nonce.
    """
    return {"csp_nonce": getattr(request, "csp_nonce", None)}
