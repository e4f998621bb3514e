"""Scoped reads of the union tree and employers. Everything goes through core.scoping.scoped."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length, Substr

from gonghui.core.scoping import scoped
from gonghui.orgs.models import (
    ACTIVE_SUPERVISION,
    NORM_KINDS,
    CandidateStatus,
    ChairElection,
    ElectionMethod,
    Employer,
    EmployerChange,
    EmployerStatus,
    OrgKind,
    OrgStatus,
    OrgWorkSettings,
    RatingAssessment,
    RegisterVerification,
    RemovalCandidate,
    SupervisionItem,
    UnionOrg,
    UnionWorker,
    WorkerStatus,
)


@dataclass
class Coverage:
    """Establishment coverage of one subtree (operating employers only)."""

    employers: int = 0
    with_union: int = 0
    orgs_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.with_union / self.employers if self.employers else None

    @property
    def orgs(self) -> int:
        return sum(self.orgs_by_kind.values())


def org_list(
    *, user: Any, parent_code: str | None = None, kind: str | None = None
) -> QuerySet[UnionOrg]:
    qs = scoped(UnionOrg.objects.all(), user=user)
    if parent_code:
        parent = qs.filter(code=parent_code).first()
        if parent is None:
            return qs.none()
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if kind:
        qs = qs.filter(kind=kind)
    return with_parent_code(qs).order_by("path")


def with_parent_code(qs: QuerySet[UnionOrg]) -> QuerySet[UnionOrg]:
    """Annotate `parent_code` in the same query (a page of 1 000 orgs must not cost 1 000 more)."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - UnionOrg.steplen)
    parent = UnionOrg.objects.filter(path=parent_path).values("code")[:1]
    annotated: QuerySet[UnionOrg] = qs.annotate(parent_code=Subquery(parent))
    return annotated


def org_get(*, user: Any, code: str) -> UnionOrg | None:
    return with_parent_code(scoped(UnionOrg.objects.all(), user=user)).filter(code=code).first()


def org_scope_root(*, user: Any) -> UnionOrg | None:
    return scoped(UnionOrg.objects.all(), user=user).order_by("depth").first()


def org_children(*, user: Any, org: UnionOrg) -> QuerySet[UnionOrg]:
    return (
        scoped(UnionOrg.objects.all(), user=user)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("path")
    )


def org_breadcrumbs(*, user: Any, org: UnionOrg) -> list[UnionOrg]:
    """The ancestors of `org` the user may see (never above their own scope org), then `org`."""
    paths = [org.path[: UnionOrg.steplen * d] for d in range(1, org.depth + 1)]
    return list(scoped(UnionOrg.objects.filter(path__in=paths), user=user).order_by("depth"))


def coverage_of_children(
    *, user: Any, parent: UnionOrg, children: list[UnionOrg]
) -> dict[int, Coverage]:
    """Coverage for each child subtree of `parent`, in two grouped queries whatever the count."""
    result = {child.pk: Coverage() for child in children}
    if not children:
        return result
    by_path = {child.path: child.pk for child in children}
    width = UnionOrg.steplen * (parent.depth + 1)
    employers = (
        scoped(Employer.objects.all(), user=user)
        .filter(org__path__startswith=parent.path, status=EmployerStatus.OPERATING)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(total=Count("id"), with_union=Count("id", filter=Q(union__isnull=False)))
    )
    for row in employers:
        pk = by_path.get(row["prefix"])
        if pk is not None:
            result[pk].employers = row["total"]
            result[pk].with_union = row["with_union"]
    orgs = (
        scoped(UnionOrg.objects.all(), user=user)
        .filter(path__startswith=parent.path, depth__gt=parent.depth)
        .annotate(prefix=Substr("path", 1, width))
        .order_by()  # treebeard's default ordering by path would split every group
        .values("prefix", "kind")
        .annotate(total=Count("id"))
    )
    for row in orgs:
        pk = by_path.get(row["prefix"])
        if pk is not None:
            result[pk].orgs_by_kind[row["kind"]] = row["total"]
    return result


def coverage_of(*, user: Any, org: UnionOrg) -> Coverage:
    """Coverage of the whole subtree rooted at `org` (the org itself included)."""
    employers = (
        scoped(Employer.objects.all(), user=user)
        .filter(org__path__startswith=org.path, status=EmployerStatus.OPERATING)
        .aggregate(total=Count("id"), with_union=Count("id", filter=Q(union__isnull=False)))
    )
    kinds = (
        scoped(UnionOrg.objects.all(), user=user)
        .filter(path__startswith=org.path)
        .order_by()
        .values("kind")
        .annotate(total=Count("id"))
    )
    return Coverage(
        employers=employers["total"],
        with_union=employers["with_union"],
        orgs_by_kind={row["kind"]: row["total"] for row in kinds},
    )


def employer_list(
    *,
    user: Any,
    q: str | None = None,
    uscc: str | None = None,
    has_union: bool | None = None,
    industry: str | None = None,
    status: str | None = None,
    org_code: str | None = None,
) -> QuerySet[Employer]:
    qs = scoped(Employer.objects.all(), user=user).select_related("org", "union", "community")
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__contains=q) | Q(uscc__startswith=q.upper()))
    if uscc:
        qs = qs.filter(uscc=uscc.strip().upper())
    if has_union is not None:
        qs = qs.filter(union__isnull=not has_union)
    if industry:
        qs = qs.filter(industry=industry)
    if status:
        qs = qs.filter(status=status)
    if org_code:
        org = org_get(user=user, code=org_code)
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    return qs.order_by("name", "uscc")


def employer_get(*, user: Any, uscc: str) -> Employer | None:
    return employer_list(user=user).filter(uscc=uscc.strip().upper()).first()


ORG_KINDS_SHOWN = [
    OrgKind.STREET,
    OrgKind.COMMUNITY,
    OrgKind.JOINT,
    OrgKind.INDUSTRY,
    OrgKind.GROUP,
    OrgKind.ENTERPRISE,
]


# --- register verification ----------------------------------------------------------------------


def verification_list(*, user: Any) -> QuerySet[RegisterVerification]:
    return (
        scoped(RegisterVerification.objects.all(), user=user)
        .select_related("org", "created_by")
        .order_by("-created_at", "-id")
    )


def candidate_list(
    *, user: Any, status: str | None = CandidateStatus.PENDING
) -> QuerySet[RemovalCandidate]:
    """Removal candidates with the employer's union and its members on the books (`members`)."""
    from gonghui.members.models import Member

    members = (
        Member.objects.filter(employer_id=OuterRef("employer_id"))
        .order_by()
        .values("employer_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        scoped(RemovalCandidate.objects.all(), user=user)
        .select_related("employer", "employer__union", "employer__org", "verification")
        .annotate(members=Coalesce(Subquery(members), 0))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("employer__name", "employer__uscc", "pk")


def candidate_get(*, user: Any, pk: int) -> RemovalCandidate | None:
    return candidate_list(user=user, status=None).filter(pk=pk).first()


def employer_changes(*, user: Any, employer: Employer) -> QuerySet[EmployerChange]:
    return scoped(EmployerChange.objects.filter(employer=employer), user=user).select_related(
        "changed_by"
    )


# --- establishment supervision ------------------------------------------------------------------


def supervision_list(
    *, user: Any, status: str | None = None, org_code: str | None = None
) -> QuerySet[SupervisionItem]:
    qs = scoped(SupervisionItem.objects.all(), user=user).select_related(
        "employer", "responsible_org"
    )
    if status:
        qs = qs.filter(status=status)
    if org_code:
        org = org_get(user=user, code=org_code)
        qs = qs.filter(responsible_org__path__startswith=org.path) if org else qs.none()
    return qs.order_by("deadline", "employer__name", "pk")


def supervision_get(*, user: Any, pk: int) -> SupervisionItem | None:
    return supervision_list(user=user).filter(pk=pk).first()


@dataclass
class SupervisionCounts:
    org: UnionOrg
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def active(self) -> int:
        return sum(self.by_status.get(s, 0) for s in ACTIVE_SUPERVISION)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def supervision_counts(*, user: Any, parent: UnionOrg, today: date) -> list[SupervisionCounts]:
    """Items per child subtree of `parent` (per district at the city) by status, in one query."""
    children = list(org_children(user=user, org=parent))
    rows = {child.path: SupervisionCounts(org=child) for child in children}
    width = UnionOrg.steplen * (parent.depth + 1)
    grouped = (
        scoped(SupervisionItem.objects.all(), user=user)
        .filter(responsible_org__path__startswith=parent.path)
        .annotate(prefix=Substr("responsible_org__path", 1, width))
        .values("prefix", "status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today, status__in=ACTIVE_SUPERVISION)),
        )
    )
    for row in grouped:
        counts = rows.get(row["prefix"])
        if counts is not None:
            counts.by_status[row["status"]] = row["n"]
            counts.overdue += row["overdue"]
    return [counts for counts in rows.values() if counts.total]


# --- staffing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingNorm:
    org: UnionOrg
    enterprises: int
    required: int
    allowed: int
    actual: int

    @property
    def compliant(self) -> bool:
        return self.required <= self.actual <= self.allowed


def norm_allowed(enterprises: int, threshold: int) -> int:
    """One officer per community joint union; a second one when it has more than `threshold`
    enterprises (more than 100 by default: 100 → 1, 101 → 2)."""
    return 2 if enterprises > threshold else 1


def _community_enterprises(communities: list[UnionOrg]) -> dict[int, int]:
    """Operating employers of each community: linked to it, or unlinked below it in the tree."""
    found = dict.fromkeys((c.pk for c in communities), 0)
    if not communities:
        return found
    operating = Employer.objects.filter(status=EmployerStatus.OPERATING)
    for row in (
        operating.filter(community_id__in=list(found))
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        found[row["community_id"]] += row["n"]
    by_width: dict[int, dict[str, int]] = {}
    for community in communities:
        by_width.setdefault(len(community.path), {})[community.path] = community.pk
    for width, paths in by_width.items():
        rows = (
            operating.filter(community__isnull=True)
            .annotate(prefix=Substr("org__path", 1, width))
            .filter(prefix__in=list(paths))
            .values("prefix")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            found[paths[row["prefix"]]] += row["n"]
    return found


def _community_officers(communities: list[UnionOrg]) -> dict[int, int]:
    found = dict.fromkeys((c.pk for c in communities), 0)
    rows = (
        UnionWorker.objects.filter(
            org_id__in=list(found), status=WorkerStatus.ACTIVE, full_time=True, kind__in=NORM_KINDS
        )
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        found[row["org_id"]] = row["n"]
    return found


def staffing_norms(communities: list[UnionOrg]) -> list[StaffingNorm]:
    """The norm check of each community joint union given (three grouped queries in all)."""
    threshold = OrgWorkSettings.current().staffing_enterprises_for_second
    enterprises = _community_enterprises(communities)
    officers = _community_officers(communities)
    return [
        StaffingNorm(
            org=community,
            enterprises=enterprises[community.pk],
            required=1,
            allowed=norm_allowed(enterprises[community.pk], threshold),
            actual=officers[community.pk],
        )
        for community in communities
    ]


def staffing_communities(*, user: Any, org: UnionOrg) -> QuerySet[UnionOrg]:
    return (
        scoped(UnionOrg.objects.all(), user=user)
        .filter(path__startswith=org.path, kind=OrgKind.COMMUNITY, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


@dataclass(frozen=True)
class StaffingSummary:
    communities: int
    required: int
    allowed: int
    actual: int
    compliant_communities: int

    @property
    def compliant(self) -> bool:
        return self.compliant_communities == self.communities


def staffing_summary(*, user: Any, org: UnionOrg) -> StaffingSummary:
    """The norm over every community joint union of `org`'s subtree (just `org` if it is one)."""
    norms = staffing_norms(list(staffing_communities(user=user, org=org)))
    return StaffingSummary(
        communities=len(norms),
        required=sum(n.required for n in norms),
        allowed=sum(n.allowed for n in norms),
        actual=sum(n.actual for n in norms),
        compliant_communities=sum(1 for n in norms if n.compliant),
    )


def worker_list(
    *, user: Any, org: UnionOrg | None = None, kind: str | None = None
) -> QuerySet[UnionWorker]:
    qs = scoped(UnionWorker.objects.all(), user=user).select_related("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("org__path", "kind", "name", "pk")


def worker_counts(*, user: Any, org: UnionOrg) -> dict[str, int]:
    """Active workers of the subtree by kind."""
    rows = (
        worker_list(user=user, org=org)
        .filter(status=WorkerStatus.ACTIVE)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


# --- chair elections ------------------------------------------------------------------------------


def election_list(*, user: Any, org: UnionOrg | None = None) -> QuerySet[ChairElection]:
    qs = scoped(ChairElection.objects.all(), user=user).select_related("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return qs.order_by("-held_on", "-id")


@dataclass
class ElectionRate:
    org: UnionOrg
    orgs: int = 0  # orgs whose latest election is recorded
    direct: int = 0  # of which elected directly

    @property
    def rate(self) -> float | None:
        return self.direct / self.orgs if self.orgs else None


def _latest_elections(qs: QuerySet[ChairElection]) -> QuerySet[ChairElection]:
    newer = ChairElection.objects.filter(org_id=OuterRef("org_id"), held_on__gt=OuterRef("held_on"))
    return qs.exclude(Exists(newer))


def election_rates(*, user: Any, org: UnionOrg) -> tuple[ElectionRate, list[ElectionRate]]:
    """Direct-election rate of the chairs now in office: the subtree, and each child subtree."""
    latest = _latest_elections(election_list(user=user, org=org))
    whole = ElectionRate(org=org)
    children = {child.path: ElectionRate(org=child) for child in org_children(user=user, org=org)}
    width = UnionOrg.steplen * (org.depth + 1)
    rows = (
        latest.annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"), direct=Count("id", filter=Q(method=ElectionMethod.DIRECT)))
        .order_by()
    )
    for row in rows:
        whole.orgs += row["n"]
        whole.direct += row["direct"]
        child = children.get(row["prefix"])
        if child is not None:
            child.orgs += row["n"]
            child.direct += row["direct"]
    return whole, [rate for rate in children.values() if rate.orgs]


def terms_ending(
    *, user: Any, org: UnionOrg, today: date, days: int | None = None
) -> QuerySet[ChairElection]:
    """Chairs in office whose term ends within `days` (settings: 90) or has already ended."""
    days = OrgWorkSettings.current().election_term_warning_days if days is None else days
    return (
        _latest_elections(election_list(user=user, org=org))
        .filter(term_ends_on__lte=today + timedelta(days=days))
        .order_by("term_ends_on", "org__code")
    )


# --- standardisation rating and 双亮双强 ---------------------------------------------------------

GRASSROOTS_KINDS = (OrgKind.COMMUNITY, OrgKind.JOINT, OrgKind.GROUP, OrgKind.ENTERPRISE)


def rating_list(*, user: Any, org: UnionOrg | None = None) -> QuerySet[RatingAssessment]:
    qs = scoped(RatingAssessment.objects.all(), user=user).select_related("org", "assessed_by")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return qs.order_by("-assessed_on", "-id")


def latest_ratings(*, user: Any, org: UnionOrg) -> QuerySet[RatingAssessment]:
    newer = RatingAssessment.objects.filter(
        org_id=OuterRef("org_id"), assessed_on__gt=OuterRef("assessed_on")
    )
    return rating_list(user=user, org=org).exclude(Exists(newer))


@dataclass
class RatingCoverage:
    org: UnionOrg
    grassroots: int = 0  # active grassroots unions in the subtree
    rated: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)
    shuangliang: int = 0  # latest assessment shows both the sign and the cadres' identity

    @property
    def coverage(self) -> float | None:
        return self.shuangliang / self.grassroots if self.grassroots else None


def rating_coverage(*, user: Any, org: UnionOrg) -> tuple[RatingCoverage, list[RatingCoverage]]:
    """Grades and 双亮双强 coverage of the subtree and of each child subtree."""
    whole = RatingCoverage(org=org)
    children = {c.path: RatingCoverage(org=c) for c in org_children(user=user, org=org)}
    width = UnionOrg.steplen * (org.depth + 1)

    def add(prefix: str, apply: Any) -> None:
        apply(whole)
        child = children.get(prefix)
        if child is not None:
            apply(child)

    grassroots = (
        scoped(UnionOrg.objects.all(), user=user)
        .filter(path__startswith=org.path, kind__in=GRASSROOTS_KINDS, status=OrgStatus.ACTIVE)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grassroots:
        add(row["prefix"], lambda c, n=row["n"]: setattr(c, "grassroots", c.grassroots + n))
    rows = (
        latest_ratings(user=user, org=org)
        .filter(org__status=OrgStatus.ACTIVE)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix", "grade")
        .annotate(
            n=Count("id"),
            both=Count("id", filter=Q(sign_displayed=True, identity_displayed=True)),
        )
        .order_by()
    )
    for row in rows:

        def apply(c: RatingCoverage, row: dict[str, Any] = row) -> None:
            c.rated += row["n"]
            c.by_grade[row["grade"]] = c.by_grade.get(row["grade"], 0) + row["n"]
            c.shuangliang += row["both"]

        add(row["prefix"], apply)
    return whole, [c for c in children.values() if c.grassroots or c.rated]
