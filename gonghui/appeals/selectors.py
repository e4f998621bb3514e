"""Scoped reads of the appeal line: lists, queues, one appeal, alerts, the member lookup."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.accounts.capabilities import Capability, roles_with
from gonghui.accounts.models import User
from gonghui.appeals.models import Alert, Appeal, AppealAction, AppealStatus, Attachment
from gonghui.appeals.services.deadlines import CLOCK_RUNNING
from gonghui.appeals.services.machine import OPEN
from gonghui.core import pii
from gonghui.core.scoping import scoped
from gonghui.core.validators import InvalidValue, normalize_mobile
from gonghui.members.models import Member
from gonghui.orgs.models import Employer, EmployerStatus, UnionOrg

QUEUES = ("mine", "org", "due_today", "overdue", "supervised", "callback", "all")
EMPLOYER_SEARCH_LIMIT = 10
RECENT_DAYS = 30


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def appeal_list(
    *,
    user: Any,
    status: str | None = None,
    channel: str | None = None,
    category: str | None = None,
    org_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    queue: str | None = None,
    today: date | None = None,
) -> QuerySet[Appeal]:
    """Appeals in the user's subtree, filtered; `org_code` keeps one org's subtree of it."""
    qs = scoped(Appeal.objects.all(), user=user).select_related(
        "org", "category", "handler", "employer"
    )
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if category:
        qs = qs.filter(category__code=category)
    if org_code:
        org = scoped(UnionOrg.objects.all(), user=user).filter(code=org_code).first()
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    if received_from:
        qs = qs.filter(received_at__gte=_day_start(received_from))
    if received_to:
        qs = qs.filter(received_at__lt=_day_start(received_to + timedelta(days=1)))
    if queue:
        qs = _queue(qs, queue, user=user, today=today or timezone.localdate())
    return qs


def _queue(qs: QuerySet[Appeal], queue: str, *, user: Any, today: date) -> QuerySet[Appeal]:
    if queue == "mine":
        return qs.filter(handler=user, status__in=OPEN)
    if queue == "org":
        return qs.filter(org_id=user.scope_org_id, status__in=OPEN)
    if queue == "due_today":
        return qs.filter(status__in=CLOCK_RUNNING, deadline=today)
    if queue == "overdue":
        return qs.filter(status__in=CLOCK_RUNNING, deadline__lt=today)
    if queue == "supervised":
        return qs.filter(supervised=True, status__in=OPEN)
    if queue == "callback":
        return qs.filter(status=AppealStatus.REPLIED)
    return qs


def queue_counts(*, user: Any, today: date) -> dict[str, int]:
    base = appeal_list(user=user)
    return {name: _queue(base, name, user=user, today=today).count() for name in QUEUES[:-1]}


def appeal_get(*, user: Any, tracking_code: str) -> Appeal | None:
    return (
        scoped(Appeal.objects.all(), user=user)
        .select_related("org", "category", "handler", "employer", "supervising_org", "member")
        .filter(tracking_code=tracking_code)
        .first()
    )


def appeal_timeline(appeal: Appeal) -> QuerySet[AppealAction]:
    return appeal.actions.select_related("org").order_by("at", "pk")


def attachment_get(*, user: Any, pk: int) -> Attachment | None:
    return scoped(Attachment.objects.all(), user=user).filter(pk=pk).first()


def alert_list(*, user: Any, open_only: bool = True) -> QuerySet[Alert]:
    qs = scoped(Alert.objects.all(), user=user).select_related("employer", "appeal", "org")
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def alert_get(*, user: Any, pk: int) -> Alert | None:
    return alert_list(user=user, open_only=False).filter(pk=pk).first()


@dataclass(frozen=True)
class CallerRecord:
    """What the hotline operator sees when typing a caller's phone: all masked."""

    member: Member | None
    recent: list[Appeal]


def caller_lookup(*, user: Any, phone: str, today: date) -> CallerRecord | None:
    """The member with this phone (in scope) and the caller's appeals of the last 30 days."""
    try:
        number = normalize_mobile(phone)
    except InvalidValue:
        return None
    index = pii.blind_index(number, kind="phone")
    members = list(
        scoped(Member.objects.all(), user=user)
        .select_related("org", "employer")
        .filter(phone_index=index)[:2]
    )
    since = _day_start(today - timedelta(days=RECENT_DAYS))
    recent = list(appeal_list(user=user).filter(phone_index=index, received_at__gte=since)[:20])
    return CallerRecord(member=members[0] if len(members) == 1 else None, recent=recent)


def employer_search(*, user: Any, q: str) -> list[Employer]:
    """Operating employers in scope whose name or credit code starts with `q` (autocomplete)."""
    term = " ".join(q.split())
    if len(term) < 2:
        return []
    qs = scoped(Employer.objects.filter(status=EmployerStatus.OPERATING), user=user)
    code = term.replace(" ", "").upper()
    match = Q(uscc__startswith=code) if any(c.isdigit() for c in code) else Q(name__startswith=term)
    return list(qs.filter(match).order_by("name")[:EMPLOYER_SEARCH_LIMIT])


def handlers_of(*, user: Any, org: UnionOrg) -> QuerySet[User]:
    """The handlers an appeal of `org` may be assigned to (none outside the user's scope)."""
    if not scoped(UnionOrg.objects.filter(pk=org.pk), user=user).exists():
        return User.objects.none()
    return User.objects.filter(
        scope_org=org, is_active=True, role__in=roles_with(Capability.TAKE_APPEALS)
    ).order_by("username")
