"""Scoped reads of the insights app: dashboards, reports and scorecards read rolled-up
`Figure` rows only (a handful of indexed rows per org), never the source tables."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.appeals.report import _shift as shift_month
from gonghui.core.scoping import org_in_scope, scoped
from gonghui.insights.models import (
    AssessmentScheme,
    AssessmentTarget,
    Figure,
    RollupRun,
    TreeNode,
)
from gonghui.insights.registry import METRICS
from gonghui.insights.registry import monthly_from as default_monthly_from
from gonghui.orgs.models import UnionOrg


@dataclass(frozen=True)
class Window:
    """Months `first`..`last` (first days): flows are summed over them, stocks taken at `last`."""

    first: date
    last: date

    @classmethod
    def year_to(cls, last: date) -> "Window":
        return cls(last.replace(month=1, day=1), last.replace(day=1))

    def snapped(self, monthly_from: date) -> "Window":
        """This window on the rollups' grain: months before `monthly_from` are kept by whole
        year, so a bound there widens to its year (January for the first, December for the
        last, never past `monthly_from`'s own months)."""
        first = self.first.replace(month=1) if self.first < monthly_from else self.first
        last = self.last
        if last < monthly_from:
            last = min(last.replace(month=12), shift_month(monthly_from, -1))
        return Window(first, last)


def _bounds(window: Window) -> dict[str, tuple[date | None, date]]:
    """The measures summed per (org, metric) over a window: months from..to (None: all)."""
    return {
        "stock": (None, window.last),
        "stock_1y": (None, shift_month(window.last, -12)),
        "stock_5y": (None, shift_month(window.last, -60)),
        "flow": (window.first, window.last),
        "flow_1y": (shift_month(window.first, -12), shift_month(window.last, -12)),
    }


@dataclass
class Indicators:
    """The standard indicators of one org's subtree over a window (see `COLUMNS`)."""

    label: str
    code: str
    path: str
    values: dict[str, dict[str, int]] = field(default_factory=dict)

    def get(self, metric: str, measure: str = "stock") -> int:
        return self.values.get(metric, {}).get(measure, 0)

    def minus(self, others: list["Indicators"], label: str) -> "Indicators":
        """What is left of these figures after `others` (the org's own level)."""
        left = Indicators(label, self.code, self.path)
        for metric, measures in self.values.items():
            left.values[metric] = {
                m: v - sum(o.get(metric, m) for o in others) for m, v in measures.items()
            }
        return left

    def is_empty(self) -> bool:
        return not any(v for measures in self.values.values() for v in measures.values())


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def growth(now: int, before: int) -> float | None:
    return round((now - before) / before, 4) if before else None


Found = dict[str, dict[str, dict[str, int]]]  # path → metric → measure → value


def _aggregate(paths: list[str], window: Window) -> Found:
    """Rolled-up figures of orgs with child orgs, summed in the database per measure."""
    sums = {
        name: Sum("value", filter=Q(period__lte=hi) & (Q(period__gte=lo) if lo else Q()))
        for name, (lo, hi) in _bounds(window).items()
    }
    # Equality on the (path, metric, period) key: served by its index on every engine.
    rows = (
        Figure.objects.filter(path__in=paths).order_by().values("path", "metric").annotate(**sums)
    )
    found: Found = defaultdict(dict)
    for row in rows:
        found[row["path"]][row["metric"]] = {name: int(row[name] or 0) for name in sums}
    return found


def _source_rows(units: list[UnionOrg]) -> list[tuple[str, str, date, int]]:
    """(path, metric, month, n) straight from the metrics' sources for these few orgs only:
    grassroots unions without child orgs, which the rollup counts at their parent."""
    paths = {org.pk: org.path for org in units}
    rows = []
    for code, metric in METRICS.items():
        for row in metric.source().filter(unit__in=list(paths)):
            month = row["month"]  # PostgreSQL's date_trunc answers a timestamp
            month = month.date() if isinstance(month, datetime) else month
            rows.append((paths[row["unit"]], code, month, int(row["n"])))
    return rows


def _has_rollup(org: UnionOrg) -> bool:
    """Whether the rollup holds this org's figures (the same rule as the refresh)."""
    return bool(org.numchild > 0 or org.depth == 1)


def figures_of(orgs: list[UnionOrg], window: Window) -> Found:
    """The indicators' sums for each org's subtree: from the rollup, or (for unions without
    child orgs) from their own rows, each bounded by one union."""
    found = _aggregate([o.path for o in orgs if _has_rollup(o)], window)
    bounds = _bounds(window)
    for path, code, month, n in _source_rows([o for o in orgs if not _has_rollup(o)]):
        measures = found[path].setdefault(code, dict.fromkeys(bounds, 0))
        for name, (lo, hi) in bounds.items():
            if month <= hi and (lo is None or month >= lo):
                measures[name] += n
    return found


def org_for(*, user: Any, code: str) -> UnionOrg | None:
    """The org with `code` if it lies inside the user's subtree."""
    org: UnionOrg | None = scoped(UnionOrg.objects.all(), user=user).filter(code=code).first()
    return org


def child_orgs(org: UnionOrg) -> list[UnionOrg]:
    """`org`'s child orgs as of the last refresh (one indexed lookup by parent path); before
    the first refresh, from the org table itself."""
    qs = UnionOrg.objects.order_by("path")
    if not RollupRun.objects.filter(finished_at__isnull=False).exists():
        return list(qs.filter(path__startswith=org.path, depth=org.depth + 1))
    nodes = TreeNode.objects.filter(parent_path=org.path).values("org_id")
    return list(qs.filter(pk__in=nodes))


@dataclass
class Breakdown:
    """An org's indicators, its child orgs' and (when not nil) what sits at its own level."""

    org: UnionOrg
    window: Window
    total: Indicators
    children: list[tuple[UnionOrg, Indicators]]
    own: Indicators | None


def breakdown(*, user: Any, org: UnionOrg, window: Window) -> Breakdown:
    """Indicators of `org` and of each child org (drill-down rows), one grouped query."""
    if not org_in_scope(org, user=user):
        raise PermissionError("org outside the user's subtree")
    children = child_orgs(org)
    found = figures_of([org, *children], window)
    total = Indicators(org.name, org.code, org.path, found.get(org.path, {}))
    rows = [(c, Indicators(c.name, c.code, c.path, found.get(c.path, {}))) for c in children]
    own = total.minus([i for _c, i in rows], _("%(org)s (own level)") % {"org": org.name})
    return Breakdown(org, window, total, rows, None if own.is_empty() else own)


@dataclass(frozen=True)
class Series:
    """Year-end stocks over the last five years and monthly flows over the last twelve months."""

    years: list[int]
    yearly: dict[str, list[int]]
    months: list[str]
    monthly: dict[str, list[int]]


def series(*, user: Any, org: UnionOrg, last: date) -> Series:
    if not org_in_scope(org, user=user):
        raise PermissionError("org outside the user's subtree")
    by_metric: dict[str, dict[date, int]] = defaultdict(dict)
    rows: Iterable[tuple[str, date, int]]
    if _has_rollup(org):
        rows = Figure.objects.filter(path=org.path).values_list("metric", "period", "value")
    else:
        rows = [(code, month, n) for _path, code, month, n in _source_rows([org])]
    for metric, period, value in rows:
        by_metric[metric][period] = by_metric[metric].get(period, 0) + value
    years = list(range(last.year - 5, last.year + 1))
    yearly: dict[str, list[int]] = {}
    for code in ("members", "orgs", "employers", "employers_unionized", "cards_active"):
        periods = sorted(by_metric.get(code, {}).items())
        yearly[code] = [
            sum(v for p, v in periods if p <= min(date(year, 12, 1), last)) for year in years
        ]
    months = [shift_month(last, -n) for n in range(11, -1, -1)]
    monthly = {
        code: [by_metric.get(code, {}).get(m, 0) for m in months]
        for code in ("members_joined", "appeals_received", "appeals_closed", "cards_issued")
    }
    return Series(years, yearly, [f"{m:%Y-%m}" for m in months], monthly)


def monthly_from() -> date:
    """From which month the rollups hold months (earlier: whole years)."""
    run = last_run()
    return (
        run.monthly_from if run and run.monthly_from else default_monthly_from(timezone.localdate())
    )


def last_run() -> RollupRun | None:
    run: RollupRun | None = RollupRun.objects.filter(finished_at__isnull=False).first()
    return run


# --- assessment scorecards ---------------------------------------------------------------------


def scheme_list(*, user: Any) -> list[AssessmentScheme]:
    """Schemes the user's org (or a descendant) runs, and schemes assessing the user's org;
    for the latter `own_target` is the pk of the scorecard the user may open (else None)."""
    mine = scoped(AssessmentScheme.objects.all(), user=user).values("pk")
    targets = dict(
        scoped(AssessmentTarget.objects.all(), user=user)
        .exclude(scheme__in=mine)
        .order_by("org__depth")
        .values_list("scheme_id", "pk")
    )
    schemes = list(
        AssessmentScheme.objects.filter(Q(pk__in=mine) | Q(pk__in=list(targets)))
        .select_related("org")
        .order_by("-year", "org__path")
    )
    for scheme in schemes:
        scheme.own_target = targets.get(scheme.pk)  # type: ignore[attr-defined]
    return schemes


def scheme_get(*, user: Any, pk: int) -> AssessmentScheme | None:
    scheme: AssessmentScheme | None = (
        scoped(AssessmentScheme.objects.select_related("org"), user=user).filter(pk=pk).first()
    )
    return scheme


def target_get(*, user: Any, pk: int) -> AssessmentTarget | None:
    target: AssessmentTarget | None = (
        scoped(AssessmentTarget.objects.select_related("org", "scheme__org"), user=user)
        .filter(pk=pk)
        .first()
    )
    return target


def may_assess(*, user: Any, org: UnionOrg) -> bool:
    """Whether the user sets the targets `org` gives its child orgs: the assessing org's own
    officers and its ancestors', never the assessed org's."""
    return can(user, Capability.MANAGE_ASSESSMENTS) and org_in_scope(org, user=user)


@dataclass
class Score:
    target: AssessmentTarget
    actual_new_unions: int
    actual_new_members: int
    actual_coverage: float | None
    indicator_scores: dict[str, float | None]
    quantity: float | None
    quality: float | None
    total: float
    quality_items: list[tuple[str, int, Decimal | None]]
    rank: int = 0


def _capped(actual: float | None, target: float, cap: int) -> float | None:
    if target <= 0:
        return None
    return round(min((actual or 0) / target, cap / 100) * 100, 2)


def scheme_scores(scheme: AssessmentScheme, *, today: date) -> list[Score]:
    """Each target's actuals (from the rollups), indicator scores capped at the scheme's cap,
    the weighted quantity and quality scores, the total and the rank among the scheme's orgs
    (ties share a rank)."""
    last = min(date(scheme.year, 12, 1), today.replace(day=1))
    window = Window(date(scheme.year, 1, 1), last)
    targets = list(
        scheme.targets.select_related("org")
        .prefetch_related("quality_scores")
        .order_by("org__path")
    )
    items = list(scheme.quality_items.all())
    found = figures_of([t.org for t in targets], window)
    scores = []
    for target in targets:
        figures = Indicators(
            target.org.name, target.org.code, target.org.path, found.get(target.org.path, {})
        )
        unions = figures.get("orgs", "flow")
        members = figures.get("members_joined", "flow")
        coverage = rate(figures.get("employers_unionized"), figures.get("employers"))
        coverage_pct = None if coverage is None else coverage * 100
        indicator = {
            "new_unions": _capped(unions, target.new_unions, scheme.cap_percent),
            "new_members": _capped(members, target.new_members, scheme.cap_percent),
            "coverage": _capped(coverage_pct, float(target.coverage), scheme.cap_percent),
        }
        assessed = [v for v in indicator.values() if v is not None]
        quantity = round(sum(assessed) / len(assessed), 2) if assessed else None
        given = {s.item_id: s.score for s in target.quality_scores.all()}
        weights = sum(i.weight for i in items)
        quality = (
            round(float(sum(i.weight * given.get(i.pk, Decimal(0)) for i in items)) / weights, 2)
            if weights
            else None
        )
        total = round(
            (quantity or 0) * scheme.quantity_weight / 100
            + (quality or 0) * scheme.quality_weight / 100,
            2,
        )
        scores.append(
            Score(
                target,
                unions,
                members,
                coverage,
                indicator,
                quantity,
                quality,
                total,
                [(i.name, i.weight, given.get(i.pk)) for i in items],
            )
        )
    ordered = sorted(scores, key=lambda s: -s.total)
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous and previous.total == score.total else position
    return scores
