"""The monthly situation report (劳动关系形势研判) for an org and a month: volumes against the
previous month and the same month last year, top categories, hotspots by org, industry and
employer, the overdue list and the month's alerts. One builder feeds the page, XLSX and PDF."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.appeals import selectors
from gonghui.appeals.models import Alert, Appeal, AppealStatus, Category
from gonghui.appeals.services.deadlines import CLOCK_RUNNING
from gonghui.appeals.stats import AppealStats, appeal_stats
from gonghui.orgs.models import Industry, UnionOrg

TOP = 10


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Hotspot:
    label: str
    count: int


@dataclass(frozen=True)
class MonthlyReport:
    org: UnionOrg | None
    month: date
    stats: AppealStats
    previous: int
    last_year: int
    categories: list[Hotspot]
    industries: list[Hotspot]
    employers: list[Hotspot]
    overdue: list[Appeal]
    alerts: list[Alert]

    @property
    def received(self) -> int:
        return self.stats.total.received

    @staticmethod
    def _change(now: int, before: int) -> float | None:
        return round((now - before) / before, 4) if before else None

    @property
    def change_previous(self) -> float | None:
        return self._change(self.received, self.previous)

    @property
    def change_last_year(self) -> float | None:
        return self._change(self.received, self.last_year)


def _count(user: Any, org: UnionOrg | None, month: date) -> int:
    first, last = month_bounds(month)
    qs = selectors.appeal_list(
        user=user, org_code=org.code if org else None, received_from=first, received_to=last
    )
    return qs.exclude(status=AppealStatus.MERGED).count()


def _top(qs: QuerySet[Appeal], key: str, labels: dict[Any, str]) -> list[Hotspot]:
    rows = qs.exclude(**{f"{key}__isnull": True}).values(key).annotate(n=Count("pk"))
    ranked = sorted(rows, key=lambda r: -r["n"])[:TOP]
    return [Hotspot(labels.get(r[key], str(r[key])), r["n"]) for r in ranked]


def monthly_report(*, user: Any, month: date, org: UnionOrg | None = None) -> MonthlyReport:
    first, last = month_bounds(month)
    stats = appeal_stats(user=user, date_from=first, date_to=last, org=org)
    qs = selectors.appeal_list(
        user=user, org_code=org.code if org else None, received_from=first, received_to=last
    ).exclude(status=AppealStatus.MERGED)
    today = min(timezone.localdate(), last + timedelta(days=1))
    overdue = list(
        selectors.appeal_list(user=user, org_code=org.code if org else None)
        .filter(status__in=CLOCK_RUNNING, deadline__lt=today, received_at__date__lte=last)
        .order_by("deadline")[:100]
    )
    alerts = selectors.alert_list(user=user, open_only=False).filter(
        raised_at__date__range=(first, last)
    )
    if org is not None:
        alerts = alerts.filter(appeal__org__path__startswith=org.path)
    return MonthlyReport(
        org=org or getattr(user, "scope_org", None),
        month=first,
        stats=stats,
        previous=_count(user, org, _shift(first, -1)),
        last_year=_count(user, org, _shift(first, -12)),
        categories=_top(qs, "category", {c.pk: c.label for c in Category.objects.all()}),
        industries=_top(
            qs.exclude(employer__industry=""),
            "employer__industry",
            {k: str(v) for k, v in Industry.choices},
        ),
        employers=_top(qs, "employer__name", {}),
        overdue=overdue,
        alerts=list(alerts[:50]),
    )


def report_rows(report: MonthlyReport) -> list[list[str]]:
    """The report as one table (section, item, value) for the XLSX export."""

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.1%}"

    total = report.stats.total
    rows = [
        [_("Section"), _("Item"), _("Value")],
        [_("Volume"), _("Received"), str(total.received)],
        [_("Volume"), _("Previous month"), str(report.previous)],
        [_("Volume"), _("Change on the previous month"), pct(report.change_previous)],
        [_("Volume"), _("Same month last year"), str(report.last_year)],
        [_("Volume"), _("Change on the same month last year"), pct(report.change_last_year)],
        [_("Rates"), _("Completion rate"), pct(total.completion_rate)],
        [_("Rates"), _("On-time rate"), pct(total.on_time_rate)],
        [_("Rates"), _("Satisfaction rate"), pct(total.satisfaction_rate)],
    ]
    rows += [[_("Top categories"), h.label, str(h.count)] for h in report.categories]
    rows += [[_("Hotspots by org"), f.label, str(f.received)] for f in report.stats.by_org]
    rows += [[_("Hotspots by industry"), h.label, str(h.count)] for h in report.industries]
    rows += [[_("Hotspots by employer"), h.label, str(h.count)] for h in report.employers]
    rows += [
        [_("Overdue"), a.tracking_code, f"{a.org.name} {a.deadline:%Y-%m-%d}"]
        for a in report.overdue
    ]
    rows += [
        [_("Alerts"), str(a.get_kind_display()), a.employer.name if a.employer else ""]
        for a in report.alerts
    ]
    return rows
