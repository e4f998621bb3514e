"""Intake: every channel files an appeal through `appeal_intake`.

The appeal gets its tracking code (`12351` + year + a sequence of at least 6 digits, read out
easily by phone), its complainant's phone and ID number protected like the registry's, a match
to a member (by ID number, else by a phone only one member has) and to an employer (by credit
code, else by its exact name), its deadline and its route; the worker gets an SMS receipt once
the transaction commits. `appeal_intake_idempotent` wraps it for `POST /api/v1/appeals`.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import hash_token
from gonghui.appeals.models import (
    ActionKind,
    Appeal,
    AppealStatus,
    Category,
    Channel,
    ChannelClient,
    Difficulty,
    IntakeRequest,
    Nature,
)
from gonghui.appeals.services.alerts import alerts_check
from gonghui.appeals.services.deadlines import deadline_for
from gonghui.appeals.services.history import record
from gonghui.appeals.services.routing import appeal_route, handler_pick
from gonghui.core import pii
from gonghui.core.counters import counter_raise
from gonghui.core.validators import (
    InvalidValue,
    normalize_id_number,
    normalize_mobile,
    normalize_text,
    normalize_uscc,
)
from gonghui.members.models import Member
from gonghui.notify.services import message_enqueue
from gonghui.orgs.models import Employer, UnionOrg

TRACKING_PREFIX = "12351"
SEQUENCE_DIGITS = 6
CONTENT_MAX = 5000
WORKERS_MAX = 100_000


class NotInScope(Exception):
    """The appeal names an org or employer outside the subtree of whoever files it."""


def tracking_code_reserve(*, year: int) -> str:
    """The next tracking code of `year`; reserved under the counter's row lock (see cards)."""
    sequence = counter_raise(f"appeal_tracking_{year}")
    return f"{TRACKING_PREFIX}{year}{sequence:0{SEQUENCE_DIGITS}d}"


def tracking_code_normalize(raw: str) -> str:
    return normalize_text(raw).replace(" ", "").replace("-", "")


# --- matching --------------------------------------------------------------------------------


def _member_match(id_index: str, phone_index: str) -> Member | None:
    if id_index:
        member = Member.objects.filter(id_number_index=id_index).first()
        if member is not None:
            return member
    by_phone = list(Member.objects.filter(phone_index=phone_index)[:2])
    return by_phone[0] if len(by_phone) == 1 else None


def employer_match(*, uscc: str, name: str) -> Employer | None:
    """By credit code, else by an exact name that only one employer has."""
    if uscc:
        found = Employer.objects.filter(uscc=uscc).select_related("org", "union", "community")
        return found.first()
    if name:
        named = list(
            Employer.objects.filter(name=name).select_related("org", "union", "community")[:2]
        )
        return named[0] if len(named) == 1 else None
    return None


def _inside(org: UnionOrg, within: UnionOrg) -> bool:
    path: str = org.path  # treebeard's field is untyped
    return path.startswith(within.path)


def org_inside(*, code: str, within: UnionOrg) -> bool:
    """Whether the union with this code lies in `within`'s subtree (the intake's scope)."""
    org = UnionOrg.objects.filter(code=code.strip()).first()
    return org is not None and _inside(org, within)


@dataclass(frozen=True)
class Complainant:
    name: str
    phone: str
    id_number: str


def _validated(
    *,
    channel: str,
    nature: str,
    category_code: str,
    content: str,
    name: str,
    phone: str,
    id_number: str,
    employer_uscc: str,
    workers_involved: int,
    difficulty: str,
) -> tuple[Category | None, Complainant, str, str]:
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if channel not in Channel.values:
        fail("channel", _("Unknown channel."))
    if nature not in Nature.values:
        fail("nature", _("Unknown nature of appeal."))
    if difficulty not in Difficulty.values:
        fail("difficulty", _("Unknown difficulty class."))
    category = Category.objects.filter(code=category_code, active=True).first()
    if category is None:
        fail("category", _("Unknown appeal category."))
    content = content.strip()
    if not content:
        fail("content", _("Describe the appeal."))
    elif len(content) > CONTENT_MAX:
        fail("content", _("The description is too long (at most 5000 characters)."))
    name = " ".join(name.split())
    if not name:
        fail("name", _("Enter the complainant's name."))
    try:
        phone = normalize_mobile(phone)
    except InvalidValue as exc:
        fail("phone", str(exc))
    if id_number.strip():
        try:
            id_number = normalize_id_number(id_number)
        except InvalidValue as exc:
            fail("id_number", str(exc))
    else:
        id_number = ""
    uscc = ""
    if employer_uscc.strip():
        try:
            uscc = normalize_uscc(employer_uscc).code
        except InvalidValue as exc:
            fail("employer_uscc", str(exc))
    if not 1 <= workers_involved <= WORKERS_MAX:
        fail("workers_involved", _("Workers involved must be between 1 and 100 000."))
    if errors:
        raise ValidationError(errors)
    return category, Complainant(name=name, phone=phone, id_number=id_number), content, uscc


# --- intake ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_intake(
    *,
    channel: str,
    nature: str,
    category_code: str,
    content: str,
    name: str,
    phone: str,
    intake_org: UnionOrg,
    id_number: str = "",
    employer_uscc: str = "",
    employer_name: str = "",
    org_code: str = "",
    workers_involved: int = 1,
    urgent: bool = False,
    difficulty: str = Difficulty.ORDINARY,
    actor: Any = None,
    client: ChannelClient | None = None,
    received_at: datetime | None = None,
    language: str = "zh-hans",
    notify: bool = True,
) -> Appeal:
    """File an appeal taken in by `intake_org`'s subtree (the staff user's scope, the channel
    client's org, or the whole tree for the portal) and route it.

    Field errors are a ValidationError keyed by field; an org or employer outside `intake_org`
    raises NotInScope. `notify=False` files without the SMS receipt (loading past appeals).
    """
    category, person, content, uscc = _validated(
        channel=channel,
        nature=nature,
        category_code=category_code,
        content=content,
        name=name,
        phone=phone,
        id_number=id_number,
        employer_uscc=employer_uscc,
        workers_involved=workers_involved,
        difficulty=difficulty,
    )
    assert category is not None
    region_org = None
    if org_code.strip():
        region_org = UnionOrg.objects.filter(code=org_code.strip()).first()
        if region_org is None or not _inside(region_org, intake_org):
            raise NotInScope(org_code)
    employer_name = normalize_text(employer_name)[:200]
    employer = employer_match(uscc=uscc, name=employer_name)
    if employer is not None and not _inside(employer.org, intake_org):
        raise NotInScope(employer.uscc)
    if uscc and employer is None and not employer_name:
        employer_name = uscc  # not (yet) in the register: kept as given, matched to nothing
    route = appeal_route(
        category=category,
        employer=employer,
        region_org=region_org,
        workers_involved=workers_involved,
        urgent=urgent,
        intake_org=intake_org,
    )
    received_at = received_at or timezone.now()
    phone_index = pii.blind_index(person.phone, kind="phone")
    id_index = pii.blind_index(person.id_number, kind="id_number") if person.id_number else ""
    appeal = Appeal(
        channel=channel,
        nature=nature,
        category=category,
        name=person.name,
        phone=pii.encrypt(person.phone),
        phone_index=phone_index,
        phone_masked=pii.mask_phone(person.phone),
        id_number=pii.encrypt(person.id_number) if person.id_number else "",
        id_number_index=id_index,
        id_number_masked=pii.mask_id_number(person.id_number) if person.id_number else "",
        member=_member_match(id_index, phone_index),
        employer=employer,
        employer_name=employer.name if employer is not None else employer_name,
        region_org=region_org,
        content=content,
        workers_involved=workers_involved,
        urgent=urgent,
        difficulty=difficulty,
        received_at=received_at,
        deadline=deadline_for(received_at=received_at, difficulty=difficulty),
        org=route.org,
        department=route.department,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        channel_client=client,
    )
    # Reserved last: the counter's row lock serialises concurrent intakes until they commit,
    # so everything that only reads (the handler too) comes before it.
    handler = handler_pick(org=route.org)
    appeal.tracking_code = tracking_code_reserve(year=timezone.localdate(received_at).year)
    appeal.save(force_insert=True)
    record(appeal, kind=ActionKind.RECEIVE, actor=actor, from_status="")
    dispatch_to_handler(appeal, handler=handler)
    if notify:
        message_enqueue(
            template="appeal_received",
            phone=person.phone,
            variables={"code": appeal.tracking_code, "deadline": f"{appeal.deadline:%Y-%m-%d}"},
            language=language,
            reference=appeal.tracking_code,
        )
    alerts_check(appeal=appeal)
    return appeal


def dispatch_to_handler(appeal: Appeal, *, handler: Any = None) -> None:
    """派单: give a received appeal to `handler`, else to the least-loaded handler of its org,
    if it has any."""
    handler = handler or handler_pick(org=appeal.org)
    if handler is None or appeal.status != AppealStatus.RECEIVED:
        return
    appeal.handler = handler
    appeal.status = AppealStatus.DISPATCHED
    appeal.save(update_fields=["handler", "status", "updated_at"])
    record(appeal, kind=ActionKind.DISPATCH, actor=None, from_status=AppealStatus.RECEIVED,
           note=handler.get_username())  # fmt: skip


# --- the channel API: Idempotency-Key ---------------------------------------------------------


class IdempotencyError(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class IntakeOutcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def intake_response(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "tracking_code": appeal.tracking_code,
        "status": appeal.status,
        "assigned_org": appeal.org.code,
        "assigned_org_name": appeal.org.name,
        "deadline": appeal.deadline.isoformat(),
    }


def request_hash(payload: dict[str, Any]) -> str:
    """A keyed hash of the canonical body (it holds personal data: never a plain digest)."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return pii.blind_index(canonical, kind="intake_request")


@transaction.atomic
def appeal_intake_idempotent(
    *, key: str, payload: dict[str, Any], client: ChannelClient
) -> IntakeOutcome:
    """File `payload` for `client` once per idempotency key, into the client's org subtree.

    The key row, the appeal and the stored response commit together. A second request with the
    key gets the stored response (same body) or 422 (another body); one arriving while the first
    is still running waits for it on PostgreSQL's unique index and then gets its response, or
    409 where it cannot wait.
    """
    digest = request_hash(payload)
    try:
        with transaction.atomic():  # savepoint: the key may already exist
            attempt = IntakeRequest.objects.create(client=client, key=key, request_hash=digest)
    except IntegrityError:
        earlier = IntakeRequest.objects.filter(client=client, key=key).first()
        if earlier is None or earlier.response is None or earlier.status_code is None:
            raise IdempotencyError(
                409, _("A request with this Idempotency-Key is still being processed.")
            ) from None
        if earlier.request_hash != digest:
            raise IdempotencyError(
                422, _("This Idempotency-Key was already used with a different request body.")
            ) from None
        return IntakeOutcome(status_code=earlier.status_code, body=earlier.response, replayed=True)
    appeal = appeal_intake(
        **{name: payload[name] for name in _INTAKE_FIELDS if name in payload},
        category_code=payload["category"],
        intake_org=client.org,
        client=client,
    )
    body = intake_response(appeal)
    attempt.appeal, attempt.status_code, attempt.response = appeal, 201, body
    attempt.save(update_fields=["appeal", "status_code", "response"])
    return IntakeOutcome(status_code=201, body=body, replayed=False)


@transaction.atomic
def intake_keys_prune(*, now: datetime | None = None) -> int:
    """Forget the Idempotency-Keys older than `APPEALS_INTAKE_KEY_DAYS` (their appeals stay).

    A channel retries within minutes or hours; after the retention a reused key files anew.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.APPEALS_INTAKE_KEY_DAYS)
    deleted, _by_model = IntakeRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


_INTAKE_FIELDS = (
    "channel", "nature", "content", "name", "phone", "id_number", "employer_uscc",
    "employer_name", "org_code", "workers_involved",
)  # fmt: skip


# --- channel clients ---------------------------------------------------------------------------


@transaction.atomic
def channel_client_create(*, channel: str, name: str, org: UnionOrg) -> tuple[ChannelClient, str]:
    """Register an integration; returns it and its token, which is shown only this once."""
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    raw = ChannelClient.PREFIX + secrets.token_urlsafe(32)
    client = ChannelClient.objects.create(
        channel=channel, name=name, org=org, key_hash=hash_token(raw), hint=raw[:8]
    )
    return client, raw


def channel_client_authenticate(*, raw: str) -> ChannelClient | None:
    if not raw.startswith(ChannelClient.PREFIX):
        return None
    client = (
        ChannelClient.objects.select_related("org")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ChannelClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client
