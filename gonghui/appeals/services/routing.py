"""Routing (归口管理、分级负责、专人办理): the rule, the level, the org and the named handler.

The most specific active `RoutingRule` for the appeal's category, region and industry names the
department and the level. Many workers involved, or urgency, raise the level; the org at that
level is found from the employer (its own union, its community joint union) or from the union
named by the complainant, climbing the tree: a level with no such org passes to the next one
up, and with none at all the appeal stays with the org that took it in (the 12351 centre).
The handler is the active appeal handler or officer of that org with the fewest open appeals.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from gonghui.accounts.capabilities import Capability, roles_with
from gonghui.accounts.models import User
from gonghui.appeals.models import Category, Level, RoutingRule
from gonghui.appeals.services.machine import OPEN
from gonghui.orgs.models import Employer, OrgKind, OrgStatus, UnionOrg

LEVELS = [Level.EMPLOYER_UNION, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
_KIND_OF_LEVEL = {
    Level.COMMUNITY: OrgKind.COMMUNITY,
    Level.STREET: OrgKind.STREET,
    Level.DISTRICT: OrgKind.DISTRICT,
}


@dataclass(frozen=True)
class Route:
    org: UnionOrg
    level: str
    department: str


def routing_rule_for(*, category: Category, region_code: str, industry: str) -> RoutingRule | None:
    """The most specific active rule: category before region (longest prefix) before industry."""
    rules = RoutingRule.objects.filter(active=True).filter(
        Q(category=category) | Q(category__isnull=True), Q(industry="") | Q(industry=industry)
    )
    fitting = [r for r in rules if region_code.startswith(r.region_code)]
    if not fitting:
        return None
    return max(
        fitting,
        key=lambda r: (r.category_id is not None, len(r.region_code), bool(r.industry), -r.pk),
    )


def level_for(*, rule: RoutingRule | None, workers_involved: int, urgent: bool) -> str:
    index = LEVELS.index(Level(rule.level)) if rule else LEVELS.index(Level.STREET)
    raise_from = (rule.raise_from_workers if rule else None) or settings.APPEALS_RAISE_FROM_WORKERS
    if urgent or workers_involved >= raise_from:
        index += 1
    if workers_involved >= settings.APPEALS_DISTRICT_FROM_WORKERS:
        index = len(LEVELS) - 1
    return LEVELS[min(index, len(LEVELS) - 1)]


def ancestors_of(org: UnionOrg) -> list[UnionOrg]:
    """`org` and every org above it, nearest first (one query on the materialised path)."""
    step = UnionOrg.steplen
    paths = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    return sorted(UnionOrg.objects.filter(path__in=paths), key=lambda o: -len(o.path))


def _usable(org: UnionOrg | None) -> bool:
    return org is not None and org.status == OrgStatus.ACTIVE


def _org_at(level: str, *, employer: Employer | None, chain: list[UnionOrg]) -> UnionOrg | None:
    if level == Level.EMPLOYER_UNION:
        return employer.union if employer is not None and _usable(employer.union) else None
    if level == Level.COMMUNITY and employer is not None and _usable(employer.community):
        return employer.community
    kind = _KIND_OF_LEVEL[Level(level)]
    return next((o for o in chain if o.kind == kind and _usable(o)), None)


def appeal_route(
    *,
    category: Category,
    employer: Employer | None,
    region_org: UnionOrg | None,
    workers_involved: int,
    urgent: bool,
    intake_org: UnionOrg,
) -> Route:
    """Where an appeal goes. `intake_org` is the org that took it in, the last resort."""
    anchor = employer.org if employer is not None else region_org
    chain = ancestors_of(anchor) if anchor is not None else []
    region = (employer.region_code if employer is not None else "") or next(
        (o.region_code for o in chain if o.region_code), ""
    )
    rule = routing_rule_for(
        category=category,
        region_code=region,
        industry=employer.industry if employer is not None else "",
    )
    level = level_for(rule=rule, workers_involved=workers_involved, urgent=urgent)
    department = rule.department if rule else ""
    for candidate in LEVELS[LEVELS.index(Level(level)) :]:
        org = _org_at(candidate, employer=employer, chain=chain)
        if org is not None and org.path.startswith(intake_org.path):
            return Route(org=org, level=candidate, department=department)
    return Route(org=intake_org, level=level, department=department)


def handler_pick(*, org: UnionOrg) -> Any:
    """The active handler or officer of `org` with the fewest open appeals (then the oldest)."""
    return (
        User.objects.filter(
            scope_org=org, is_active=True, role__in=roles_with(Capability.TAKE_APPEALS)
        )
        .annotate(load=Count("appeals", filter=Q(appeals__status__in=OPEN)))
        .order_by("load", "pk")
        .first()
    )
