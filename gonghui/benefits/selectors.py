"""Reads of benefits: staff reads through `scoped()`, the portal's reads of one member's own."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.benefits.models import (
    Event,
    EventSignup,
    PaymentBatch,
    ProjectSession,
    Segment,
    ServiceItem,
    ServiceProject,
    SignupStatus,
    SocialOrganisation,
    SubsidyApplication,
    SubsidyProgramme,
    SubsidyStatus,
)
from gonghui.benefits.segments import segment_q
from gonghui.core import pii
from gonghui.core.scoping import scoped
from gonghui.core.validators import InvalidIdNumber, normalize_id_number
from gonghui.members.models import Member
from gonghui.orgs.models import UnionOrg

M = TypeVar("M", bound=Model)

# --- segments and audiences ---------------------------------------------------------------------


def segment_members(
    *, rules: dict[str, Any], within: UnionOrg, today: date | None = None
) -> QuerySet[Member]:
    """Members of `within`'s subtree the rules select: one filtered query, counted in the DB."""
    today = today or timezone.localdate()
    return Member.objects.filter(org__path__startswith=within.path).filter(
        segment_q(rules, today=today)
    )


def segment_count(*, user: Any, rules: dict[str, Any], within: UnionOrg) -> int:
    """How many members of the user's scope the rules select (the live count while editing)."""
    base = scoped(Member.objects.filter(org__path__startswith=within.path), user=user)
    return base.filter(segment_q(rules, today=timezone.localdate())).count()


def _ancestor_paths(org: UnionOrg) -> list[str]:
    steplen = UnionOrg.steplen
    return [org.path[:end] for end in range(steplen, len(org.path) + 1, steplen)]


def with_ancestors(queryset: QuerySet[M], *, user: Any) -> QuerySet[M]:
    """Rows of the user's subtree (`scoped`) and those owned by the unions above it.

    For offers and rules that reach down the tree — a city's segments, service items and
    subsidy programmes apply to every street below it — which officers below read but only
    officers of the owning union change (`org_in_scope`). Siblings and other districts stay out.
    """
    scope = getattr(user, "scope_org", None) if getattr(user, "is_authenticated", False) else None
    own = scoped(queryset, user=user)
    if scope is None:
        return own
    return own | queryset.filter(org__path__in=_ancestor_paths(scope))


def member_in_audience(*, member: Member, org: UnionOrg, segment: Segment | None) -> bool:
    """Whether an offer of `org` (for `segment`, or everyone) reaches the member."""
    if not member.org.path.startswith(org.path):
        return False
    if segment is None:
        return member.status == "active"
    today = timezone.localdate()
    return (
        Member.objects.filter(pk=member.pk).filter(segment_q(segment.rules, today=today)).exists()
    )


# --- service items ------------------------------------------------------------------------------


def item_list(
    *, user: Any, q: str = "", category: str = "", on_card: bool | None = None
) -> QuerySet[ServiceItem]:
    qs = with_ancestors(ServiceItem.objects.all(), user=user).select_related("org", "segment")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(provider_name__contains=q))
    if category:
        qs = qs.filter(category=category)
    if on_card is not None:
        qs = qs.filter(on_card=on_card)
    return qs.order_by("category", "name")


def segment_list(*, user: Any) -> QuerySet[Segment]:
    """Segments of the user's subtree and of the unions above it (usable, not editable)."""
    qs = with_ancestors(Segment.objects.all(), user=user).select_related("org")
    return qs.order_by("org__path", "name")


@dataclass(frozen=True)
class PortalItem:
    item: ServiceItem
    eligible: bool


def _items_for(member: Member, qs: QuerySet[ServiceItem]) -> list[PortalItem]:
    today = timezone.localdate()
    qs = qs.filter(active=True, org__path__in=_ancestor_paths(member.org))
    qs = qs.exclude(valid_until__lt=today).exclude(valid_from__gt=today)
    items = list(qs.select_related("segment", "org").order_by("category", "name"))
    verdicts: dict[int, bool] = {}
    for item in items:
        if item.segment_id is not None and item.segment_id not in verdicts:
            verdicts[item.segment_id] = member_in_audience(
                member=member, org=member.org, segment=item.segment
            )
    return [
        PortalItem(item=i, eligible=True if i.segment_id is None else verdicts[i.segment_id])
        for i in items
    ]


def portal_items(*, member: Member, category: str = "") -> list[PortalItem]:
    """The catalogue a member sees: active items of their union and its ancestors."""
    qs = ServiceItem.objects.all()
    if category:
        qs = qs.filter(category=category)
    return _items_for(member, qs)


def card_items(*, member: Member) -> list[ServiceItem]:
    """The items the member's card carries (and the member is eligible for)."""
    return [
        p.item for p in _items_for(member, ServiceItem.objects.filter(on_card=True)) if p.eligible
    ]


# --- subsidies ----------------------------------------------------------------------------------


def programmes_visible(*, user: Any) -> QuerySet[SubsidyProgramme]:
    """Programmes an officer works with: those of the subtree and of the unions above it
    (a city programme's applications are reviewed by the districts and streets)."""
    return with_ancestors(SubsidyProgramme.objects.all(), user=user).order_by("-starts_on")


def programmes_open(*, member: Member) -> QuerySet[SubsidyProgramme]:
    today = timezone.localdate()
    return SubsidyProgramme.objects.filter(
        org__path__in=_ancestor_paths(member.org), starts_on__lte=today, ends_on__gte=today
    ).order_by("name")


def application_list(
    *, user: Any, programme: SubsidyProgramme | None = None, status: str = "", q: str = ""
) -> QuerySet[SubsidyApplication]:
    qs = scoped(SubsidyApplication.objects.all(), user=user).select_related(
        "member", "org", "occupation", "programme"
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(code=q.strip().upper())
            | Q(certificate_no=q.strip().upper())
            | Q(member__name__startswith=q.strip())
        )
    return qs.order_by("-submitted_at", "-pk")


def application_get(*, user: Any, code: str) -> SubsidyApplication | None:
    return application_list(user=user).filter(code=code).first()


def member_applications(*, member: Member) -> QuerySet[SubsidyApplication]:
    return (
        SubsidyApplication.objects.filter(member=member)
        .select_related("programme", "occupation")
        .order_by("-pk")
    )


def member_by_id_number(*, user: Any, id_number: str) -> Member | None:
    """The member with this resident ID number inside the user's scope (None otherwise)."""
    try:
        normalized = normalize_id_number(id_number)
    except InvalidIdNumber:
        return None
    index = pii.blind_index(normalized, kind="id_number")
    return (
        scoped(Member.objects.filter(id_number_index=index), user=user)
        .select_related("org")
        .first()
    )


def batch_list(*, user: Any, programme: SubsidyProgramme) -> QuerySet[PaymentBatch]:
    qs = scoped(PaymentBatch.objects.filter(programme=programme), user=user)
    return qs.annotate(rows=Count("applications"), total=Sum("applications__amount")).order_by(
        "-pk"
    )


def batch_get(*, user: Any, pk: int) -> PaymentBatch | None:
    return (
        scoped(PaymentBatch.objects.all(), user=user)
        .filter(pk=pk)
        .select_related("programme")
        .first()
    )


@dataclass(frozen=True)
class SubsidyStats:
    applications: int
    awaiting: int
    approved: int
    rejected: int
    paid: int
    beneficiaries: int
    amount: Decimal
    amount_paid: Decimal


def subsidy_stats(*, user: Any, programme: SubsidyProgramme) -> SubsidyStats:
    """The programme's figures within the user's scope: approved counts paid ones too."""
    qs = scoped(SubsidyApplication.objects.filter(programme=programme), user=user)
    committed = Q(status__in=[SubsidyStatus.APPROVED, SubsidyStatus.PAID])
    row = qs.aggregate(
        applications=Count("pk"),
        awaiting=Count("pk", filter=Q(status=SubsidyStatus.SUBMITTED)),
        approved=Count("pk", filter=committed),
        rejected=Count("pk", filter=Q(status=SubsidyStatus.REJECTED)),
        paid=Count("pk", filter=Q(status=SubsidyStatus.PAID)),
        beneficiaries=Count("member", filter=committed, distinct=True),
        total_amount=Sum("amount", filter=committed),
        total_paid=Sum("amount", filter=Q(status=SubsidyStatus.PAID)),
    )
    return SubsidyStats(
        applications=row["applications"],
        awaiting=row["awaiting"],
        approved=row["approved"],
        rejected=row["rejected"],
        paid=row["paid"],
        beneficiaries=row["beneficiaries"],
        amount=Decimal(row["total_amount"] or 0),
        amount_paid=Decimal(row["total_paid"] or 0),
    )


# --- purchased projects -------------------------------------------------------------------------


def social_org_list(*, user: Any) -> QuerySet[SocialOrganisation]:
    return scoped(SocialOrganisation.objects.all(), user=user).order_by("name")


def project_list(*, user: Any) -> QuerySet[ServiceProject]:
    qs = scoped(ServiceProject.objects.all(), user=user).select_related(
        "organisation", "org", "segment"
    )
    return qs.annotate(
        sessions_held=Count("sessions"), beneficiaries=Sum("sessions__participants")
    ).order_by("-starts_on", "name")


def project_get(*, user: Any, pk: int) -> ServiceProject | None:
    return project_list(user=user).filter(pk=pk).first()


def project_sessions(*, project: ServiceProject) -> QuerySet[ProjectSession]:
    return project.sessions.order_by("-held_on", "-pk")


@dataclass(frozen=True)
class ProjectStats:
    projects: int
    organisations: int
    sessions: int
    beneficiaries: int
    contract_amount: Decimal


def project_stats(*, user: Any) -> ProjectStats:
    """In the seed's terms: N projects bought from M organisations, sessions, person-times."""
    projects = scoped(ServiceProject.objects.all(), user=user)
    row = projects.aggregate(
        projects=Count("pk"),
        organisations=Count("organisation", distinct=True),
        amount=Sum("contract_amount"),
    )
    sessions = scoped(ProjectSession.objects.all(), user=user).aggregate(
        sessions=Count("pk"), people=Sum("participants")
    )
    return ProjectStats(
        projects=row["projects"],
        organisations=row["organisations"],
        sessions=sessions["sessions"],
        beneficiaries=sessions["people"] or 0,
        contract_amount=Decimal(row["amount"] or 0),
    )


# --- events -------------------------------------------------------------------------------------


def event_list(*, user: Any, upcoming: bool | None = None) -> QuerySet[Event]:
    qs = scoped(Event.objects.all(), user=user).select_related("org", "segment")
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now())
    return qs.annotate(
        confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
        attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
    ).order_by("-starts_at")


def event_get(*, user: Any, pk: int) -> Event | None:
    return event_list(user=user).filter(pk=pk).first()


def event_signups(*, event: Event) -> QuerySet[EventSignup]:
    return event.signups.select_related("member").order_by("status", "created_at", "pk")


def signup_get(*, user: Any, pk: int) -> EventSignup | None:
    return (
        scoped(EventSignup.objects.all(), user=user).filter(pk=pk).select_related("event").first()
    )


def portal_events(*, member: Member) -> QuerySet[Event]:
    """Upcoming events of the member's union and its ancestors (eligibility checked on sign-up)."""
    return (
        Event.objects.filter(
            org__path__in=_ancestor_paths(member.org),
            starts_at__gte=timezone.now(),
            cancelled=False,
        )
        .select_related("org", "segment")
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))
        .order_by("starts_at")
    )


def portal_event(*, member: Member, pk: int) -> Event | None:
    """An event the member may see: upcoming or one they signed up for."""
    mine = Q(signups__member=member)
    reachable = Event.objects.filter(pk=pk, org__path__in=_ancestor_paths(member.org)).filter(
        mine | Q(starts_at__gte=timezone.now(), cancelled=False)
    )
    return (
        Event.objects.filter(pk__in=reachable.values("pk"))
        .select_related("org", "segment")
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))
        .first()
    )


def member_signup(*, member: Member, event: Event) -> EventSignup | None:
    return (
        EventSignup.objects.filter(event=event, member=member)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("event")
        .first()
    )


def member_signups(*, member: Member) -> QuerySet[EventSignup]:
    return (
        EventSignup.objects.filter(member=member)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("event")
        .order_by("-event__starts_at")
    )
