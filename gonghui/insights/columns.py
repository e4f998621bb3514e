"""The standard indicators, one column each, shared by the dashboard table, its XLSX export and
the statistical report (page, XLSX, PDF). Add a column for a new metric with one line."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.insights.selectors import Indicators, growth, rate


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Indicators], int | float | None]
    percent: bool = False

    def text(self, row: Indicators) -> str:
        value = self.value(row)
        if value is None:
            return "–"
        return f"{value:.1%}" if self.percent else f"{value}"


def _pct(key: str, label: str | Promise, value: Callable[[Indicators], float | None]) -> Column:
    return Column(key, label, value, percent=True)


COLUMNS: list[Column] = [
    Column("members", _("Members"), lambda i: i.get("members")),
    _pct("members_yoy", _("Members: growth on a year before"),
         lambda i: growth(i.get("members"), i.get("members", "stock_1y"))),
    _pct("members_5y", _("Members: growth over five years"),
         lambda i: growth(i.get("members"), i.get("members", "stock_5y"))),
    Column("members_joined", _("New members"), lambda i: i.get("members_joined", "flow")),
    Column("orgs", _("Union organisations"), lambda i: i.get("orgs")),
    _pct("orgs_5y", _("Union organisations: growth over five years"),
         lambda i: growth(i.get("orgs"), i.get("orgs", "stock_5y"))),
    Column("orgs_new", _("New union organisations"), lambda i: i.get("orgs", "flow")),
    Column("employers", _("Employers"), lambda i: i.get("employers")),
    Column("employers_unionized", _("Employers with a union"),
           lambda i: i.get("employers_unionized")),
    _pct("coverage", _("Coverage"),
         lambda i: rate(i.get("employers_unionized"), i.get("employers"))),
    Column("cards_active", _("Cards in use"), lambda i: i.get("cards_active")),
    Column("cards_issued", _("Cards issued"), lambda i: i.get("cards_issued", "flow")),
    Column("appeals_received", _("Appeals received"), lambda i: i.get("appeals_received", "flow")),
    Column("appeals_closed", _("Appeals closed"), lambda i: i.get("appeals_closed", "flow")),
    _pct("completion_rate", _("Completion rate"),
         lambda i: rate(i.get("appeals_closed", "flow"), i.get("appeals_received", "flow"))),
    _pct("on_time_rate", _("On-time rate"),
         lambda i: rate(i.get("appeals_on_time", "flow"), i.get("appeals_replied", "flow"))),
    _pct("satisfaction_rate", _("Satisfaction rate"),
         lambda i: rate(i.get("appeals_satisfied", "flow"), i.get("appeals_rated", "flow"))),
    Column("consultations", _("Legal consultations"), lambda i: i.get("consultations", "flow")),
    Column("disputes", _("Dispute cases accepted"), lambda i: i.get("disputes", "flow")),
    Column("disputes_mediated", _("Disputes mediated successfully"),
           lambda i: i.get("disputes_mediated", "flow")),
    _pct("mediation_rate", _("Mediation success rate"),
         lambda i: rate(i.get("disputes_mediated", "flow"), i.get("disputes", "flow"))),
    Column("dispute_amount_agreed", _("Amount agreed (yuan)"),
           lambda i: i.get("dispute_amount_agreed", "flow")),
    Column("dispute_amount_recovered", _("Amount recovered (yuan)"),
           lambda i: i.get("dispute_amount_recovered", "flow")),
    Column("subsidies_approved", _("Subsidies approved"),
           lambda i: i.get("subsidies_approved", "flow")),
    Column("subsidy_amount_paid", _("Subsidies paid (yuan)"),
           lambda i: i.get("subsidy_amount_paid", "flow")),
    Column("event_attendance", _("Event attendance"), lambda i: i.get("event_attendance", "flow")),
    Column("point_visits", _("Service point visits (person-times)"),
           lambda i: i.get("point_visits", "flow")),
]  # fmt: skip

COLUMN = {column.key: column for column in COLUMNS}


def table_rows(rows: list[Indicators], *, first: str) -> list[list[str]]:
    """A header (`first` then every column's label) and one text row per indicator set."""
    return [[first, *[str(c.label) for c in COLUMNS]]] + [
        [row.label, *[c.text(row) for c in COLUMNS]] for row in rows
    ]
