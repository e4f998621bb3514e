"""Totals of lists that may hold millions of rows.

An exact `COUNT(*)` over a city's four million members costs seconds, far more than the page it
goes with. Up to a cap the count is exact (it stops after cap + 1 rows, whatever the plan);
past the cap PostgreSQL's planner estimates it from its statistics, and the caller says so.
"""

from typing import Any

from django.db import connections
from django.db.models import QuerySet

EXACT_UP_TO = 10_000


def capped_count(queryset: QuerySet[Any], *, cap: int | None = None) -> tuple[int, bool]:
    """(count, whether it is exact): exact up to `cap` rows (EXACT_UP_TO by default; always on
    SQLite, whose deployments are small), else the planner's estimate, never below cap + 1."""
    cap = EXACT_UP_TO if cap is None else cap
    # Unordered: "any cap + 1 rows" stops early on every plan, where an ordered query might
    # sort the whole subtree first.
    unordered = queryset.order_by()
    counted: int = unordered[: cap + 1].count()
    if counted <= cap:
        return counted, True
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return unordered.count(), True
    sql, params = unordered.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return max(int(plan[0]["Plan"]["Plan Rows"]), cap + 1), False
