"""The insights API: an org's dashboard indicators, read from the rollup tables."""

from datetime import date

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gonghui.insights import selectors
from gonghui.insights.columns import COLUMNS
from gonghui.insights.selectors import Indicators, Window

router = Router(tags=["insights"])


class PeriodIn(Schema):
    from_: str = Field("", alias="from", description="first month, YYYY-MM (default: January)")
    to: str = Field("", description="last month, YYYY-MM (default: this month)")


class IndicatorsOut(Schema):
    code: str
    name: str
    indicators: dict[str, int | float | None] = Field(
        ..., description="standard indicators; rates are fractions (0.85 = 85 %)"
    )


class DashboardOut(Schema):
    code: str
    name: str
    first: date
    last: date
    total: IndicatorsOut
    children: list[IndicatorsOut]
    own_level: IndicatorsOut | None


def _month(raw: str, default: date) -> date:
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return default


def _out(row: Indicators, name: str) -> IndicatorsOut:
    return IndicatorsOut(
        code=row.code, name=name, indicators={c.key: c.value(row) for c in COLUMNS}
    )


@router.get(
    "/insights/orgs/{code}",
    response=DashboardOut,
    summary="Standard indicators of an org's subtree and of each child org (from the rollups)",
)
def dashboard(request: HttpRequest, code: str, period: Query[PeriodIn]) -> DashboardOut:
    org = selectors.org_for(user=request.user, code=code)
    if org is None:
        raise Http404
    today = timezone.localdate().replace(day=1)
    last = min(_month(period.to, today), today)
    first = min(_month(period.from_, last.replace(month=1)), last)
    window = Window(first, last).snapped(selectors.monthly_from())
    data = selectors.breakdown(user=request.user, org=org, window=window)
    return DashboardOut(
        code=org.code,
        name=org.name,
        first=window.first,
        last=window.last,
        total=_out(data.total, org.name),
        children=[_out(row, child.name) for child, row in data.children],
        own_level=_out(data.own, data.own.label) if data.own else None,
    )
