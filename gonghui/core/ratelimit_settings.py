"""Limits of the public endpoints (gonghui.core.ratelimit), read strictly from the environment.

Imported by gonghui.settings, so nothing here may import Django models or read settings.

A limit is named `<endpoint>.<subject>`: the endpoint is what the view's `rate_limited(...)`
names, the subject what is counted — `address` (the client's IP address) or a submitted field
(`phone`, `code`). `GONGHUI_RATE_LIMITS` overrides the defaults below, comma-separated:
`portal_join.address=60/h, portal_join.phone=5/d`. A rate is `<count>/<period>`, the period
`s`, `m`, `h` or `d`, optionally with a multiple (`100/10m`).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

RATE_LIMITS_VAR = "GONGHUI_RATE_LIMITS"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_RATE_RE = re.compile(r"(\d+)/(\d*)([smhd])")


@dataclass(frozen=True)
class Rate:
    count: int  # requests allowed per window
    seconds: int  # window length


# Generous per address (many workers share a factory's or a carrier's NAT address), strict per
# phone and per lookup code (a code with the last 4 phone digits must not be guessable).
DEFAULT_RATE_LIMITS: dict[str, Rate] = {
    "portal_join.address": Rate(30, 3600),
    "portal_join.phone": Rate(10, 86_400),
    "portal_join_status.address": Rate(60, 3600),
    "portal_join_status.code": Rate(10, 3600),
    "portal_employers.address": Rate(600, 3600),
    "portal_appeal.address": Rate(20, 3600),
    "portal_appeal.phone": Rate(5, 86_400),
    "portal_appeal_follow.address": Rate(60, 3600),
    "portal_appeal_follow.code": Rate(10, 3600),
    "portal_legal.address": Rate(20, 3600),
    "portal_legal.phone": Rate(5, 86_400),
    "portal_legal_follow.address": Rate(60, 3600),
    "portal_legal_follow.code": Rate(10, 3600),
    # Service points: the public nearest search (page and API) is read-only and cheap; the
    # worker portal's sign-in sends an SMS per code, so few per phone, fewer guesses per code.
    "places_near.address": Rate(600, 3600),
    "portal_code.address": Rate(20, 3600),
    "portal_code.phone": Rate(5, 3600),
    "portal_verify.address": Rate(60, 3600),
    "portal_member.address": Rate(600, 3600),
    "portal_benefits.address": Rate(300, 3600),  # sign-ups, check-ins, subsidy applications
    # Each reset request sends an email: few per address, fewer per address asked for.
    "password_reset.address": Rate(10, 3600),
    "password_reset.email": Rate(3, 86_400),
}


def parse_rate(raw: str, *, name: str) -> Rate:
    match = _RATE_RE.fullmatch(raw.strip())
    if not match or int(match[1]) < 1 or match[2] == "0":
        raise ImproperlyConfigured(
            f"{RATE_LIMITS_VAR}: {name}={raw.strip()!r} is not a rate like 20/h, 5/d or 100/10m"
        )
    return Rate(int(match[1]), int(match[2] or 1) * _UNITS[match[3]])


def rate_limits_from_env(raw: str | None) -> dict[str, Rate]:
    """The defaults with the overrides of `raw`; an unknown name or a bad rate is an error."""
    limits = dict(DEFAULT_RATE_LIMITS)
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        name, separator, rate = item.partition("=")
        name = name.strip()
        if not separator or name not in DEFAULT_RATE_LIMITS:
            raise ImproperlyConfigured(
                f"{RATE_LIMITS_VAR}: {item.strip()!r} must be <name>=<rate> with a name among: "
                + ", ".join(DEFAULT_RATE_LIMITS)
            )
        limits[name] = parse_rate(rate, name=name)
    return limits
