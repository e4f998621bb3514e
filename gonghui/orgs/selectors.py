"""Scoped reads of the union tree and employers. Everything goes through core.scoping.scoped."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from gonghui.core.scoping import scoped
from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, UnionOrg


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
