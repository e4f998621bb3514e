"""Rate limits of the public endpoints, counted in the database (no Redis, no cache server
needed) or, when `GONGHUI_RATE_LIMIT_REDIS_URL` is set, in Redis.

A view (or a django-ninja operation) decorated with `rate_limited("portal_join", ...)` counts
each request against every limit configured as `portal_join.<subject>` in
`settings.RATE_LIMITS` (gonghui.core.ratelimit_settings): `address` is the client's IP address,
any other subject a submitted field (form or JSON body) turned into a key by the function the
view names for it — the phone normalised, the lookup code upper-cased. Keys are stored as a
keyed blind index (HMAC), never as the address, phone or code itself.

Counting is a fixed window per limit: one `INSERT … ON CONFLICT DO UPDATE … RETURNING` raises
the window's counter atomically (PostgreSQL, SQLite ≥ 3.35), so concurrent requests and several
app servers share one count. With Redis, the window's counter is one key that expires with the
window, raised by Redis' atomic INCR through Django's cache framework. A request over any limit
answers 429 with `Retry-After` and a translated page (or JSON) naming the time to try again.
"""

import functools
import json
import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.models import RateLimitBucket
from gonghui.core.ratelimit_settings import Rate

ADDRESS = "address"
# Subjects other than the address: the submitted value → the text to count it by. A value the
# function rejects (ValueError) is not counted for that subject; the address still is.
SubjectKeys = Mapping[str, Callable[[str], str]]
View = Callable[..., HttpResponse]


def client_address(request: HttpRequest) -> str:
    """The address the outermost of `TRUSTED_PROXIES` reverse proxies saw, else the TCP peer.

    Each proxy appends the address it received from to X-Forwarded-For, so the entry that many
    places from the end is one no client could forge; entries before it could be.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        chain = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def hit(key: str, rate: Rate, *, now: float | None = None) -> tuple[int, int]:
    """Count one request for `key`: (requests in the current window, Unix time it ends)."""
    now = time.time() if now is None else now
    start = int(now // rate.seconds) * rate.seconds
    end = start + rate.seconds
    if settings.RATE_LIMIT_REDIS_URL:
        return _hit_redis(f"{key}:{start}", ttl=max(1, math.ceil(end - now))), end
    quote = connection.ops.quote_name
    table = quote(RateLimitBucket._meta.db_table)
    key_col, start_col, end_col, hits_col = map(
        quote, ("key", "window_start", "window_end", "hits")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {start_col}, {end_col}, {hits_col}) "
            f"VALUES (%s, %s, %s, 1) ON CONFLICT ({key_col}, {start_col}) "
            f"DO UPDATE SET {hits_col} = {table}.{hits_col} + 1 RETURNING {hits_col}",
            [key, start, end],
        )
        hits = int(cursor.fetchone()[0])
        if hits == 1:
            # A new window began for this key: the moment to drop every bucket that has ended.
            cursor.execute(f"DELETE FROM {table} WHERE {end_col} <= %s", [int(now)])
    return hits, end


def _hit_redis(bucket: str, *, ttl: int) -> int:
    store = caches["ratelimit"]
    store.add(bucket, 0, timeout=ttl)  # no-op when the window's counter exists
    try:
        return int(store.incr(bucket))
    except ValueError:  # the counter expired between add and incr: a new window
        store.add(bucket, 1, timeout=ttl)
        return 1


def _submitted(request: HttpRequest, field: str) -> str | None:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return None
        value = body.get(field) if isinstance(body, dict) else None
        return value if isinstance(value, str) else None
    value = (request.POST if request.method == "POST" else request.GET).get(field)
    return value if isinstance(value, str) else None


def _subjects(request: HttpRequest, kinds: list[str], keys: SubjectKeys) -> dict[str, str]:
    subjects = {}
    for kind in kinds:
        if kind == ADDRESS:
            value: str | None = client_address(request)
        else:
            raw = _submitted(request, kind)
            try:
                value = keys[kind](raw) if raw else None
            except ValueError:
                value = None
        if value:
            subjects[kind] = pii.blind_index(f"{kind}\x1f{value}", kind="rate_limit")
    return subjects


def _kinds(name: str) -> list[str]:
    prefix = f"{name}."
    return [key.removeprefix(prefix) for key in settings.RATE_LIMITS if key.startswith(prefix)]


def rate_limit_exceeded(request: HttpRequest, name: str, keys: SubjectKeys) -> int | None:
    """Count this request under every `name.*` limit; the Unix time to retry if one is over."""
    retry_at = None
    for kind, subject in _subjects(request, _kinds(name), keys).items():
        rate: Rate = settings.RATE_LIMITS[f"{name}.{kind}"]
        hits, end = hit(f"{name}.{kind}:{subject}", rate)
        if hits > rate.count:
            retry_at = max(end, retry_at or end)
    return retry_at


def too_many_requests(request: HttpRequest, retry_at: int, *, as_json: bool) -> HttpResponse:
    moment = timezone.localtime(datetime.fromtimestamp(retry_at, tz=UTC))
    message = _("Too many requests. Please try again after %(time)s.") % {
        "time": date_format(moment, "Y-m-d H:i")
    }
    retry_after = max(1, math.ceil(retry_at - time.time()))
    response: HttpResponse
    if as_json:
        response = JsonResponse({"detail": message, "retry_after": retry_after}, status=429)
    else:
        template = "includes/rate_limited.html" if request.headers.get("HX-Request") else None
        response = render(
            request, template or "rate_limited.html", {"message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    name: str,
    *,
    keys: SubjectKeys | None = None,
    methods: tuple[str, ...] = ("POST",),
    as_json: bool = False,
) -> Callable[[View], View]:
    """Count requests of `methods` under the `name.*` limits; over a limit, answer 429.

    `keys` names how to count each submitted-field subject (`{"phone": normalize_mobile}`).
    `as_json` answers `{"detail", "retry_after"}` (django-ninja operations: put this decorator
    below the router's). The scope sweep reads `view.rate_limit` to prove public routes have one.
    """
    keys = dict(keys or {})
    kinds = _kinds(name)
    if not kinds:
        raise ImproperlyConfigured(f"RATE_LIMITS has no limit named {name}.<subject>")
    unknown = [kind for kind in kinds if kind != ADDRESS and kind not in keys]
    if unknown:
        raise ImproperlyConfigured(f"rate_limited({name!r}) needs keys for: {', '.join(unknown)}")

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                retry_at = rate_limit_exceeded(request, name, keys)
                if retry_at is not None:
                    return too_many_requests(request, retry_at, as_json=as_json)
            return view(request, *args, **kwargs)

        wrapper.rate_limit = name  # type: ignore[attr-defined]
        return wrapper

    return decorator
