"""Scoped reads of the legal services.

Everything is read through `scoped()` (the org subtree). On top of it, a lawyer or mediator
login (role lawyer) sees only the consultations and cases assigned to them: a lawyer of a
purchased firm never browses the federation's other files.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.appeals.models import Appeal
from gonghui.core.scoping import scoped
from gonghui.core.workdays import is_working_day
from gonghui.legal import clocks
from gonghui.legal.classification import recommended_paths
from gonghui.legal.models import (
    Consultation,
    DisputeCase,
    DisputeStatus,
    DutyRoster,
    LawFirm,
    Lawyer,
    LawyerTeam,
    LegalAidCase,
    Mediator,
    ResolutionPath,
)
from gonghui.orgs.models import UnionOrg
from gonghui.places.models import MEDIATION_KINDS, PointStatus, ServicePoint


def _is_lawyer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.LAWYER)


def dispute_list(*, user: Any, status: str = "", major: bool = False) -> QuerySet[DisputeCase]:
    qs = scoped(DisputeCase.objects.all(), user=user)
    if _is_lawyer(user):
        assigned = DisputeCase.objects.filter(Q(lawyers__user=user) | Q(mediator__user=user))
        qs = qs.filter(pk__in=assigned.values("pk"))
    if status:
        qs = qs.filter(status=status)
    if major:
        qs = qs.filter(is_major=True)
    return qs.select_related("org", "team", "employer")


def dispute_get(*, user: Any, pk: int) -> DisputeCase | None:
    return dispute_list(user=user).select_related("mediator", "place").filter(pk=pk).first()


def aid_list(*, user: Any, status: str = "") -> QuerySet[LegalAidCase]:
    qs = scoped(LegalAidCase.objects.all(), user=user)
    if _is_lawyer(user):
        qs = qs.filter(lawyer__user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("org", "lawyer", "member")


def aid_get(*, user: Any, pk: int) -> LegalAidCase | None:
    return aid_list(user=user).filter(pk=pk).first()


def consultation_list(*, user: Any, status: str = "") -> QuerySet[Consultation]:
    qs = scoped(Consultation.objects.all(), user=user)
    if _is_lawyer(user):
        qs = qs.filter(lawyer__user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("org", "lawyer", "appeal")


def consultation_get(*, user: Any, pk: int) -> Consultation | None:
    return consultation_list(user=user).filter(pk=pk).first()


def lawyers_for(*, user: Any) -> QuerySet[Lawyer]:
    """Active lawyers of firms bought inside the user's subtree or above it (a street may use
    the city's purchased lawyers)."""
    if not getattr(user, "is_authenticated", False) or not user.scope_path:
        return Lawyer.objects.none()
    path: str = user.scope_path
    prefixes = [path[:end] for end in range(len(path), 0, -4)]
    return (
        Lawyer.objects.filter(active=True, firm__active=True)
        .filter(Q(firm__org__path__startswith=path) | Q(firm__org__path__in=prefixes))
        .select_related("firm")
    )


def on_duty(*, user: Any, day: date) -> list[DutyRoster]:
    """Who answers the 12351 legal line on `day`: lawyers of firms bought in the user's subtree
    or above it (the same lawyers the user may assign)."""
    lawyers = lawyers_for(user=user)
    return list(
        DutyRoster.objects.filter(day=day, lawyer__in=lawyers).select_related(
            "lawyer", "lawyer__firm"
        )
    )


def mediation_places(*, user: Any) -> QuerySet[ServicePoint]:
    """The mediation centres and rooms (service points of gonghui.places) in the user's subtree."""
    points = ServicePoint.objects.filter(kind__in=MEDIATION_KINDS).select_related("org")
    return scoped(points, user=user).order_by("org__path", "name")


def _on_branch(org: UnionOrg) -> Q:
    """Rows of `org`, of the unions above it and of those below it (`org__path`)."""
    path: str = org.path
    prefixes = [path[:end] for end in range(len(path), 0, -UnionOrg.steplen)]
    return Q(org__path__startswith=path) | Q(org__path__in=prefixes)


def mediation_choices(*, case: DisputeCase) -> tuple[QuerySet[Mediator], QuerySet[ServicePoint]]:
    """The active mediators and the open mediation centres and rooms a case may be given: those
    of its union's branch (gonghui.legal.services.mediation_place_check)."""
    branch = _on_branch(case.org)
    mediators = Mediator.objects.filter(branch, active=True).select_related("place", "org")
    places = (
        ServicePoint.objects.filter(branch, kind__in=MEDIATION_KINDS)
        .exclude(status=PointStatus.CLOSED)
        .select_related("org")
        .order_by("org__path", "name")
    )
    return mediators, places


@dataclass(frozen=True)
class Providers:
    firms: list[LawFirm]
    lawyers: list[Lawyer]
    teams: list[LawyerTeam]
    mediators: list[Mediator]
    places: list[ServicePoint]
    duties: list[DutyRoster]


def providers(*, user: Any, today: date) -> Providers:
    return Providers(
        firms=list(scoped(LawFirm.objects.all(), user=user).select_related("org")),
        lawyers=list(scoped(Lawyer.objects.all(), user=user).select_related("firm")[:500]),
        teams=list(scoped(LawyerTeam.objects.all(), user=user).prefetch_related("lawyers")),
        mediators=list(scoped(Mediator.objects.all(), user=user).select_related("place", "org")),
        places=list(mediation_places(user=user)),
        duties=list(
            scoped(DutyRoster.objects.filter(day__gte=today), user=user).select_related(
                "lawyer", "lawyer__firm"
            )[:100]
        ),
    )


def case_clocks(case: DisputeCase, *, today: date | None = None) -> list[clocks.Clock]:
    """The statutory clocks that run for the case now (none once it is closed)."""
    if case.status == DisputeStatus.CLOSED:
        return []
    today = today or timezone.localdate()
    running = []
    contested = ResolutionPath.ARBITRATION in recommended_paths(
        case.dispute_type, case.rights_subtype
    )
    if case.mediation_applied_on and case.arbitration_accepted_on is None:
        running.append(
            clocks.mediation_clock(
                case.mediation_applied_on, today=today, is_working_day=is_working_day
            )
        )
    if contested and case.knew_on and case.arbitration_accepted_on is None:
        running.append(
            clocks.limitation_clock(case.knew_on, today=today, is_working_day=is_working_day)
        )
    if case.arbitration_accepted_on:
        running.append(
            clocks.award_clock(
                case.arbitration_accepted_on,
                today=today,
                extended=case.award_extended,
                is_working_day=is_working_day,
            )
        )
    return running


@dataclass(frozen=True)
class ClockRow:
    case: DisputeCase
    clock: clocks.Clock


def clock_board(*, user: Any, today: date, limit: int = 200) -> list[ClockRow]:
    """Open cases' clocks, warnings and expired ones first, then by due date."""
    qs = dispute_list(user=user, status=DisputeStatus.OPEN).filter(
        Q(mediation_applied_on__isnull=False)
        | Q(knew_on__isnull=False)
        | Q(arbitration_accepted_on__isnull=False)
    )
    rows = [
        ClockRow(case, clock) for case in qs[:limit] for clock in case_clocks(case, today=today)
    ]
    order = {clocks.EXPIRED: 0, clocks.WARNING: 1, clocks.RUNNING: 2}
    return sorted(rows, key=lambda r: (order[r.clock.state], r.clock.due))


@dataclass(frozen=True)
class AppealLinks:
    consultations: list[Consultation]
    disputes: list[DisputeCase]
    aid_cases: list[LegalAidCase]

    def __bool__(self) -> bool:
        return bool(self.consultations or self.disputes or self.aid_cases)


def appeal_links(*, user: Any, appeal: Appeal) -> AppealLinks:
    """The consultations and cases made from an appeal, as far as the user may see them."""
    return AppealLinks(
        consultations=list(consultation_list(user=user).filter(appeal=appeal)),
        disputes=list(dispute_list(user=user).filter(appeal=appeal)),
        aid_cases=list(aid_list(user=user).filter(appeal=appeal)),
    )


def portal_lookup(*, code: str, phone_last4: str) -> Consultation | LegalAidCase | None:
    """The consultation or legal-aid case with this code whose phone ends in these 4 digits.

    A wrong pair and an unknown code answer alike (no oracle for codes).
    """
    import hmac

    code = "".join(code.split()).upper()
    digits = phone_last4.strip()
    if not (4 <= len(code) <= 20) or len(digits) != 4 or not digits.isdigit():
        return None
    if not digits.isascii():
        return None
    found: Consultation | LegalAidCase | None
    if code.startswith("YZ"):
        found = LegalAidCase.objects.filter(code=code).select_related("org").first()
    else:
        found = Consultation.objects.filter(code=code).select_related("org").first()
    if found is None or not found.phone_masked:
        return None
    if not hmac.compare_digest(found.phone_masked[-4:].encode(), digits.encode()):
        return None
    return found
