"""The metrics of the dashboards and reports (see registry.py to add one)."""

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.benefits.models import EventSignup, SubsidyApplication, SubsidyStatus
from gonghui.insights.registry import month_of, register
from gonghui.legal.models import Consultation, DisputeCase, DisputeOutcome
from gonghui.members.models import Member, MemberCard, MemberStatus
from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, OrgStatus, UnionOrg
from gonghui.places.models import PointVisit

# Federations are the tree's levels, not unions established in it.
FEDERATIONS = (OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET)


def _members() -> QuerySet[Member]:
    return Member.objects.order_by().values(
        unit=F("org_id"), month=month_of("joined_on", TruncDate("created_at"))
    )


@register("members", _("Members"), section="members", stock=True)
def members() -> QuerySet[Any]:
    """Active members, by the month they joined (their sum is today's membership)."""
    return _members().filter(status=MemberStatus.ACTIVE).annotate(n=Count("pk"))


@register("members_joined", _("New members"), section="members")
def members_joined() -> QuerySet[Any]:
    """Members who joined in the month, whatever their status today."""
    return _members().annotate(n=Count("pk"))


@register("orgs", _("Union organisations"), section="orgs", stock=True)
def orgs() -> QuerySet[Any]:
    """Active grassroots and joint unions (not federations), by the month established."""
    return (
        UnionOrg.objects.order_by()
        .filter(status=OrgStatus.ACTIVE)
        .exclude(kind__in=FEDERATIONS)
        .values(unit=F("pk"), month=month_of("established_on"))
        .annotate(n=Count("pk"))
    )


def _employers() -> QuerySet[Employer]:
    return Employer.objects.order_by().filter(status=EmployerStatus.OPERATING)


@register("employers", _("Employers"), section="orgs", stock=True)
def employers() -> QuerySet[Any]:
    """Operating employers, by the month they opened."""
    return (
        _employers().values(unit=F("org_id"), month=month_of("opened_on")).annotate(n=Count("pk"))
    )


@register("employers_unionized", _("Employers with a union"), section="orgs", stock=True)
def employers_unionized() -> QuerySet[Any]:
    """Operating employers with a union, by the month their union was established."""
    return (
        _employers()
        .filter(union__isnull=False)
        .values(unit=F("org_id"), month=month_of("union__established_on"))
        .annotate(n=Count("pk"))
    )


def _cards() -> QuerySet[MemberCard]:
    return MemberCard.objects.order_by().values(
        unit=F("member__org_id"), month=month_of("issued_on")
    )


@register("cards_issued", _("Cards issued"), section="cards")
def cards_issued() -> QuerySet[Any]:
    return _cards().annotate(n=Count("pk"))


@register("cards_active", _("Cards in use"), section="cards", stock=True)
def cards_active() -> QuerySet[Any]:
    return _cards().filter(status="active").annotate(n=Count("pk"))


def _appeals(counted: Q | None = None) -> QuerySet[Any]:
    return (
        Appeal.objects.order_by()
        .exclude(status=AppealStatus.MERGED)
        .values(unit=F("org_id"), month=month_of(TruncDate("received_at")))
        .annotate(n=Count("pk", filter=counted))
    )


# Appeals are counted in the month received, as the 12351 statistics do (gonghui/appeals/stats.py):
# the completion rate of a period is closed ÷ received among the appeals received in it.
@register("appeals_received", _("Appeals received"), section="appeals")
def appeals_received() -> QuerySet[Any]:
    return _appeals()


@register("appeals_closed", _("Appeals closed"), section="appeals")
def appeals_closed() -> QuerySet[Any]:
    return _appeals(Q(status=AppealStatus.CLOSED))


@register("appeals_replied", _("Appeals replied"), section="appeals")
def appeals_replied() -> QuerySet[Any]:
    return _appeals(Q(replied_at__isnull=False))


@register("appeals_on_time", _("Appeals replied on time"), section="appeals")
def appeals_on_time() -> QuerySet[Any]:
    return _appeals(Q(replied_at__isnull=False, replied_at__date__lte=F("deadline")))


@register("appeals_rated", _("Appeals rated"), section="appeals")
def appeals_rated() -> QuerySet[Any]:
    return _appeals(~Q(satisfaction=""))


@register("appeals_satisfied", _("Appeals rated satisfied"), section="appeals")
def appeals_satisfied() -> QuerySet[Any]:
    return _appeals(Q(satisfaction__in=["satisfied", "basic"]))


def _yuan(field: str, counted: Q | None = None) -> Any:
    """A money column summed to whole yuan (figures are integers)."""
    return Cast(Coalesce(Sum(field, filter=counted), Value(Decimal(0))), BigIntegerField())


# --- legal services (counted in the month a case or consultation was accepted) ------------------


def _disputes() -> QuerySet[Any]:
    return DisputeCase.objects.order_by().values(
        unit=F("org_id"), month=month_of(TruncDate("created_at"))
    )


@register("consultations", _("Legal consultations"), section="legal")
def consultations() -> QuerySet[Any]:
    return (
        Consultation.objects.order_by()
        .values(unit=F("org_id"), month=month_of(TruncDate("created_at")))
        .annotate(n=Count("pk"))
    )


@register("disputes", _("Dispute cases accepted"), section="legal")
def disputes() -> QuerySet[Any]:
    return _disputes().annotate(n=Count("pk"))


@register("disputes_mediated", _("Disputes mediated successfully"), section="legal")
def disputes_mediated() -> QuerySet[Any]:
    return _disputes().annotate(n=Count("pk", filter=Q(outcome=DisputeOutcome.MEDIATED)))


@register("dispute_amount_agreed", _("Amount agreed (yuan)"), section="legal")
def dispute_amount_agreed() -> QuerySet[Any]:
    return _disputes().annotate(n=_yuan("amount_agreed"))


@register("dispute_amount_recovered", _("Amount recovered (yuan)"), section="legal")
def dispute_amount_recovered() -> QuerySet[Any]:
    return _disputes().annotate(n=_yuan("amount_recovered"))


# --- benefits and the service network ---------------------------------------------------------


def _subsidies() -> QuerySet[Any]:
    return SubsidyApplication.objects.order_by().values(
        unit=F("org_id"), month=month_of(TruncDate("submitted_at"))
    )


@register("subsidies_approved", _("Subsidies approved"), section="benefits")
def subsidies_approved() -> QuerySet[Any]:
    granted = Q(status__in=[SubsidyStatus.APPROVED, SubsidyStatus.PAID])
    return _subsidies().annotate(n=Count("pk", filter=granted))


@register("subsidy_amount_paid", _("Subsidies paid (yuan)"), section="benefits")
def subsidy_amount_paid() -> QuerySet[Any]:
    return _subsidies().annotate(n=_yuan("amount", Q(status=SubsidyStatus.PAID)))


@register("event_attendance", _("Event attendance"), section="benefits")
def event_attendance() -> QuerySet[Any]:
    """Members checked in at events, in the month of the check-in."""
    return (
        EventSignup.objects.order_by()
        .filter(checked_in_at__isnull=False)
        .values(unit=F("event__org_id"), month=month_of(TruncDate("checked_in_at")))
        .annotate(n=Count("pk"))
    )


@register("point_visits", _("Service point visits (person-times)"), section="benefits")
def point_visits() -> QuerySet[Any]:
    return (
        PointVisit.objects.order_by()
        .values(unit=F("point__org_id"), month=month_of(TruncDate("visited_at")))
        .annotate(n=Coalesce(Sum("people"), 0))
    )
