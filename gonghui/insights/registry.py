"""The metric registry the rollup refresh reads.

A metric is one function returning a QuerySet of rows `(unit, month, n)`: `unit` the id of the
union org the counted rows sit at, `month` the first day of their month (a DateField
expression), `n` their count (or sum). The refresh stores those rows per org, then rolls them up
every ancestor's subtree with one `INSERT … SELECT … GROUP BY` per tree level; the dashboards,
reports and scorecards read only the rolled-up `Figure` rows.

`stock=True` marks a metric whose months add up to a current total (members active now, by the
month they joined); a flow's months are counted per period (appeals received in a month).

Another app adds a metric with a few lines, e.g. in its own `insights.py` imported by its
AppConfig.ready()::

    from gonghui.insights.registry import month_of, register

    @register("disputes", _("Dispute cases"), section="legal")
    def disputes():
        return DisputeCase.objects.values(unit=F("org_id"), month=month_of("opened_on")).annotate(
            n=Count("pk")
        )
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import DateField, F, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.functional import Promise

# The month of rows whose date is unknown ("before the records"): counted in every stock.
EARLIEST = date(1900, 1, 1)


def monthly_from(today: date) -> date:
    """Months before this (January of last year, by default) are kept by whole year."""
    return date(today.year - settings.INSIGHTS_MONTHLY_YEARS + 1, 1, 1)


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    source: Callable[[], QuerySet[Any]]
    section: str
    stock: bool


METRICS: dict[str, Metric] = {}


def register(
    code: str, label: str | Promise, *, section: str, stock: bool = False
) -> Callable[[Callable[[], QuerySet[Any]]], Callable[[], QuerySet[Any]]]:
    """Register `source` as metric `code` (its rows: unit, month, n)."""

    def decorate(source: Callable[[], QuerySet[Any]]) -> Callable[[], QuerySet[Any]]:
        if len(code) > 40:
            raise ValueError(f"metric code {code!r} is longer than 40 characters")
        METRICS[code] = Metric(code, label, source, section, stock)
        return source

    return decorate


def month_of(*expressions: Any) -> Any:
    """The first day of the month of the first non-null date among `expressions`, else EARLIEST."""
    day = (
        Coalesce(*expressions, output_field=DateField()) if len(expressions) > 1 else expressions[0]
    )
    if isinstance(day, str):
        day = F(day)
    return Coalesce(
        TruncMonth(day, output_field=DateField()),
        Value(EARLIEST, output_field=DateField()),
        output_field=DateField(),
    )
