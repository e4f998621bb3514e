"""Scoped reads of staff accounts, and what login safety knows about them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User
from gonghui.core.scoping import scoped


def staff_list(*, user: User, q: str = "") -> QuerySet[User]:
    """The accounts whose scope org lies in the user's subtree, by username."""
    accounts = scoped(User.objects.select_related("scope_org"), user=user)
    q = q.strip()
    if q:
        accounts = accounts.filter(
            Q(username__istartswith=q) | Q(last_name__startswith=q) | Q(first_name__startswith=q)
        )
    return accounts.order_by("username")


def staff_get(*, user: User, pk: int) -> User | None:
    return scoped(User.objects.select_related("scope_org"), user=user).filter(pk=pk).first()


def users_for_password_reset(*, email: str) -> list[User]:
    """Active accounts with a password whose verified address is `email` (case-insensitive)."""
    return list(
        User.objects.filter(is_active=True, email__iexact=email, verified_email__iexact=email)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("pk")
    )


def two_factor_enrolled(*, user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def backup_codes_left(*, user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def _cool_off() -> timedelta:
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    return cool_off


def _lock_ends(attempts: QuerySet[AccessAttempt], since: datetime) -> datetime | None:
    """When the failures inside the cool-off window drop below the limit, the oldest records
    expiring first; None when they are below it already."""
    rows = list(
        attempts.filter(attempt_time__gte=since)
        .order_by("attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    remaining = sum(failures for _at, failures in rows)
    ends = None
    for at, failures in rows:
        if remaining < settings.AXES_FAILURE_LIMIT:
            break
        remaining -= failures
        ends = at + _cool_off()
    return ends


def lockout_ends_at(*, username: str | None, address: str | None) -> datetime | None:
    """When a login as `username` from `address` will be accepted again (None: it is now)."""
    since = timezone.now() - _cool_off()
    ends = [
        end
        for field, value in (("username", username), ("ip_address", address))
        if value
        and (end := _lock_ends(AccessAttempt.objects.filter(**{field: value}), since)) is not None
    ]
    return max(ends, default=None)


@dataclass
class Lockout:
    username: str  # "" for an address lockout
    address: str  # "" for a username lockout
    ends_at: datetime
    account: User | None


def lockout_list(*, user: User) -> list[Lockout]:
    """Current lockouts: of usernames of accounts in the user's scope, and of addresses (which
    belong to no org: one office's shared address can lock all of its staff out)."""
    since = timezone.now() - _cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since).order_by()
    limit = settings.AXES_FAILURE_LIMIT
    names = [
        row["username"]
        for row in recent.values("username").annotate(total=Sum("failures_since_start"))
        if row["username"] and row["total"] >= limit
    ]
    addresses = [
        row["ip_address"]
        for row in recent.values("ip_address").annotate(total=Sum("failures_since_start"))
        if row["ip_address"] and row["total"] >= limit
    ]
    accounts = {a.username: a for a in staff_list(user=user).filter(username__in=names)}
    found = []
    for name, account in sorted(accounts.items()):
        ends = lockout_ends_at(username=name, address=None)
        if ends is not None:
            found.append(Lockout(username=name, address="", ends_at=ends, account=account))
    for address in sorted(addresses):
        ends = lockout_ends_at(username=None, address=address)
        if ends is not None:
            found.append(Lockout(username="", address=address, ends_at=ends, account=None))
    return found


def pii_key_ids() -> list[tuple[str, bool]]:
    """The ids of the configured personal-data keys, with whether each is the one that
    encrypts (the others only decrypt, until `gonghui rotate_pii_key` has re-encrypted)."""
    ids = [key_id for key_id, _key in settings.PII_KEYS]
    return [(key_id, index == 0) for index, key_id in enumerate(ids)]
