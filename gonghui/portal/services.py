"""Signing in to the worker portal with the phone and a one-time code sent by SMS.

A code is 6 random digits, stored only as a keyed hash (HMAC, gonghui.core.pii), valid for
PORTAL_CODE_TTL_SECONDS, void after PORTAL_CODE_MAX_ATTEMPTS wrong tries, used at most once (a
conditional UPDATE: of two simultaneous sign-ins with one code, one wins), and a new one is not
issued within PORTAL_CODE_RESEND_SECONDS of the last. A phone that is not a member's gets the
same answers (a code row is kept, no SMS is sent), so the pages do not tell who is a member.
Requests are also rate limited per phone and per address (views, gonghui.core.ratelimit).
"""

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from gonghui.core import pii
from gonghui.core.validators import normalize_mobile
from gonghui.members.models import Member, MemberStatus
from gonghui.notify.services import message_enqueue
from gonghui.portal.models import SignInCode


class CodeTooSoon(Exception):
    """A code was sent moments ago; `.seconds` to wait before asking again."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _code_hash(phone_index: str, code: str) -> str:
    return pii.blind_index(f"{phone_index}\x1f{code}", kind="sign_in_code")


def member_by_phone(phone: str) -> Member | None:
    """The member registered with `phone`: an active one first, then the latest changed."""
    index = pii.blind_index(normalize_mobile(phone), kind="phone")
    active_first = Case(
        When(status=MemberStatus.ACTIVE, then=Value(0)), default=Value(1),
        output_field=IntegerField(),
    )  # fmt: skip
    return (
        Member.objects.filter(phone_index=index)
        .exclude(status=MemberStatus.DECEASED)
        .order_by(active_first, "-updated_at", "-pk")
        .first()
    )


@transaction.atomic
def sign_in_code_send(
    *, phone: str, language: str = "zh-hans", now: datetime | None = None
) -> None:
    """Issue a code for `phone` and queue its SMS when the phone is a member's.

    ValueError for a phone that is not a mainland mobile; CodeTooSoon within the resend wait.
    """
    phone = normalize_mobile(phone)
    now = now or timezone.now()
    index = pii.blind_index(phone, kind="phone")
    wait = timedelta(seconds=settings.PORTAL_CODE_RESEND_SECONDS)
    last = (
        SignInCode.objects.select_for_update()
        .filter(phone_index=index, used_at__isnull=True, created_at__gt=now - wait)
        .order_by("-created_at")
        .first()
    )
    if last is not None:
        raise CodeTooSoon(max(1, int((last.created_at + wait - now).total_seconds())))
    # This phone's codes of earlier days are of no use any more (`sign_in_codes_prune` drops
    # everyone's, from `gonghui portal_prune_codes`).
    SignInCode.objects.filter(phone_index=index, created_at__lt=now - timedelta(days=1)).delete()
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = settings.PORTAL_CODE_TTL_SECONDS
    SignInCode.objects.create(
        phone_index=index,
        code_hash=_code_hash(index, code),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    if member_by_phone(phone) is not None:
        message_enqueue(
            template="portal_sign_in_code",
            phone=phone,
            variables={"code": code, "minutes": str(max(1, ttl // 60))},
            language=language,
            reference="portal-sign-in",
        )


def sign_in_code_verify(*, phone: str, code: str, now: datetime | None = None) -> Member | None:
    """The member for a right, unexpired, unused code of `phone`; None otherwise.

    A wrong code counts against the latest code; after too many wrong tries it is void.
    """
    phone = normalize_mobile(phone)
    now = now or timezone.now()
    index = pii.blind_index(phone, kind="phone")
    code = "".join(code.split())
    with transaction.atomic():
        latest = (
            SignInCode.objects.filter(
                phone_index=index,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=settings.PORTAL_CODE_MAX_ATTEMPTS,
            )
            .order_by("-created_at")
            .first()
        )
        if latest is None:
            return None
        if not (len(code) == 6 and code.isdigit()) or not hmac.compare_digest(
            latest.code_hash, _code_hash(index, code)
        ):
            SignInCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
            return None
        # Single use: of two requests with the same code only one changes the row.
        won = SignInCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now)
        if not won:
            return None
        SignInCode.objects.filter(phone_index=index, used_at__isnull=True).update(used_at=now)
    return member_by_phone(phone)


@transaction.atomic
def sign_in_codes_prune(*, now: datetime | None = None) -> int:
    """Drop codes that expired more than a day ago (nothing needs them any more)."""
    now = now or timezone.now()
    deleted, _ = SignInCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return deleted
