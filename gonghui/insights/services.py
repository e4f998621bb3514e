"""Writes of the insights app: the rollup refresh and the assessment targets."""

import time
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope
from gonghui.insights.models import (
    AssessmentScheme,
    AssessmentTarget,
    Figure,
    QualityItem,
    QualityScore,
    RollupRun,
    TreeNode,
)
from gonghui.insights.registry import METRICS, monthly_from
from gonghui.orgs.models import UnionOrg

_STAGE = "insights_stage"
_LOCK = 7351  # advisory lock class of the rollup refresh


def _sql(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _year_start(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of year')"
    return f"CAST(date_trunc('year', {column}) AS date)"


def _refresh_metric(cursor: Any, code: str, depths: Iterable[int], horizon: date) -> int:
    """Replace one metric's figures.

    The metric's source is grouped once by org and month; a grassroots union without child
    orgs is counted at its parent (it has no dashboard rows of its own: its figures are read
    from the source when asked, see selectors.figures_of), which keeps the table at the size of
    the federation tree rather than the number of unions. Then one INSERT … SELECT … GROUP BY
    per tree level sums the staged rows by path prefix into every ancestor's subtree figure.
    Months before `horizon` are folded into their year (period = 1 January), so the table
    holds a dozen rows per org and metric for each old year rather than twelve.
    """
    figure = Figure._meta.db_table
    org = UnionOrg._meta.db_table
    if connection.vendor == "postgresql":
        # Two refreshes at once (the job and the command) take turns per metric instead of
        # colliding on the figures' unique key; SQLite serialises writers by itself.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK, code])
    source, params = _sql(METRICS[code].source())
    cursor.execute(f"DELETE FROM {_STAGE}")
    cursor.execute(
        f"INSERT INTO {_STAGE} (path, month, n) "
        f"SELECT CASE WHEN o.numchild > 0 OR o.depth = 1 THEN o.path "
        f"ELSE SUBSTR(o.path, 1, LENGTH(o.path) - {UnionOrg.steplen}) END, "
        f"CASE WHEN s.month < %s THEN {_year_start('s.month')} ELSE s.month END, SUM(s.n) "
        f"FROM ({source}) s JOIN {org} o ON o.id = s.unit GROUP BY 1, 2",
        [horizon, *params],
    )
    cursor.execute(f"DELETE FROM {figure} WHERE metric = %s", [code])
    rows = 0
    for depth in depths:
        width = depth * UnionOrg.steplen
        cursor.execute(
            f"INSERT INTO {figure} (metric, path, depth, period, value) "
            f"SELECT %s, SUBSTR(path, 1, {width}), {depth}, month, SUM(n) FROM {_STAGE} "
            f"WHERE LENGTH(path) >= {width} GROUP BY SUBSTR(path, 1, {width}), month "
            # An org's rows side by side on disk: a dashboard reads a few pages, not thousands.
            f"ORDER BY SUBSTR(path, 1, {width}), month",
            [code],
        )
        rows += max(cursor.rowcount, 0)
    return rows


def _refresh_tree(cursor: Any) -> None:
    node = TreeNode._meta.db_table
    cursor.execute(f"DELETE FROM {node}")
    cursor.execute(
        f"INSERT INTO {node} (org_id, path, parent_path) "
        f"SELECT id, path, SUBSTR(path, 1, LENGTH(path) - {UnionOrg.steplen}) "
        f"FROM {UnionOrg._meta.db_table} ORDER BY path"
    )


def _create_stage(cursor: Any) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} (path varchar(255), month date, n bigint)")


def rollups_refresh(*, metrics: list[str] | None = None) -> RollupRun:
    """Rebuild the rolled-up figures of `metrics` (all registered ones by default).

    Set-based: per metric one grouped scan of its source and one INSERT … SELECT per tree
    level. Each metric is replaced inside one transaction, so readers see either the old or
    the new figures, never a half-built set.
    """
    codes = metrics if metrics else list(METRICS)
    unknown = [code for code in codes if code not in METRICS]
    if unknown:
        raise ValueError(_("Unknown metric: %(codes)s") % {"codes": ", ".join(unknown)})
    started = time.perf_counter()
    horizon = monthly_from(timezone.localdate())
    run = RollupRun.objects.create(
        started_at=timezone.now(), metrics=",".join(codes), monthly_from=horizon
    )
    deepest = UnionOrg.objects.aggregate(deepest=Max("depth"))["deepest"] or 0
    depths = range(1, deepest + 1)
    rows = 0
    with connection.cursor() as cursor:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_LOCK])
            _refresh_tree(cursor)
        _create_stage(cursor)
        try:
            for code in codes:
                with transaction.atomic():
                    rows += _refresh_metric(cursor, code, depths, horizon)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner reads the rebuilt table through its index.
            cursor.execute(f"ANALYZE {Figure._meta.db_table}")
            cursor.execute(f"ANALYZE {TreeNode._meta.db_table}")
    run.finished_at = timezone.now()
    run.rows = rows
    run.seconds = round(time.perf_counter() - started, 3)
    run.save(update_fields=["finished_at", "rows", "seconds"])
    return run


# --- assessment scorecards ---------------------------------------------------------------------


def _require_assessor(user: Any, org: UnionOrg) -> None:
    """Only the assessing org's officers (and its ancestors') edit its schemes and targets."""
    require(user, Capability.MANAGE_ASSESSMENTS, _("Your role may not edit assessment targets."))
    if not org_in_scope(org, user=user):
        raise PermissionDenied(_("Only the assessing org edits these targets."))


@transaction.atomic
def scheme_save(
    *,
    user: Any,
    org: UnionOrg,
    year: int,
    quantity_weight: int,
    cap_percent: int,
    quality_items: list[tuple[str, int]],
) -> AssessmentScheme:
    """Create or update `org`'s assessment of its child orgs for `year`, with a target row for
    every child org (zero targets until the parent sets them)."""
    _require_assessor(user, org)
    scheme, _created = AssessmentScheme.objects.get_or_create(org=org, year=year)
    scheme.quantity_weight = quantity_weight
    scheme.cap_percent = cap_percent
    scheme.full_clean()
    scheme.save()
    keep = []
    for name, weight in quality_items:
        item, _new = QualityItem.objects.update_or_create(
            scheme=scheme, name=name, defaults={"weight": weight}
        )
        keep.append(item.pk)
    scheme.quality_items.exclude(pk__in=keep).delete()
    for child in UnionOrg.objects.filter(path__startswith=org.path, depth=org.depth + 1):
        AssessmentTarget.objects.get_or_create(scheme=scheme, org=child)
    return scheme


@transaction.atomic
def target_update(
    *,
    user: Any,
    target: AssessmentTarget,
    new_unions: int,
    new_members: int,
    coverage: Decimal,
    quality_scores: dict[int, Decimal],
) -> AssessmentTarget:
    """Set a child org's targets and the parent's quality scores (parent org only)."""
    _require_assessor(user, target.scheme.org)
    target.new_unions = new_unions
    target.new_members = new_members
    target.coverage = coverage
    target.updated_by = user
    target.full_clean()
    target.save()
    items = set(target.scheme.quality_items.values_list("pk", flat=True))
    for item_id, score in quality_scores.items():
        if item_id in items:
            QualityScore.objects.update_or_create(
                target=target, item_id=item_id, defaults={"score": score}
            )
    return target
