"""The 12351 figures: received, dispatched, closed, completion rate (办结率), on-time rate and
satisfaction rate, in total and by channel, nature, category, org and month.

Read through `selectors.appeal_list`, so a district's figures never include another district's
appeals. Merged duplicates are left out: they are counted in the appeal they were merged into.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils.translation import gettext as _

from gonghui.appeals import selectors
from gonghui.appeals.models import Appeal, AppealStatus, Category, Channel, Nature
from gonghui.orgs.models import UnionOrg

_ON_TIME = Q(replied_on__isnull=False, replied_on__lte=F("deadline"))
_METRICS = {
    "received": Count("pk"),
    "dispatched": Count("pk", filter=~Q(status=AppealStatus.RECEIVED)),
    "closed": Count("pk", filter=Q(status=AppealStatus.CLOSED)),
    "replied": Count("pk", filter=Q(replied_on__isnull=False)),
    "on_time": Count("pk", filter=_ON_TIME),
    "rated": Count("pk", filter=~Q(satisfaction="")),
    "satisfied": Count("pk", filter=Q(satisfaction__in=["satisfied", "basic"])),
}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Figures:
    label: str
    received: int
    dispatched: int
    closed: int
    replied: int
    on_time: int
    rated: int
    satisfied: int

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.closed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.replied)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "received": self.received,
            "dispatched": self.dispatched,
            "closed": self.closed,
            "completion_rate": self.completion_rate,
            "on_time_rate": self.on_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


def _figures(label: str, row: dict[str, Any]) -> Figures:
    return Figures(label=label, **{name: row[name] or 0 for name in _METRICS})


def _grouped(qs: QuerySet[Appeal], key: str, labels: dict[Any, str]) -> list[Figures]:
    rows = qs.values(key).annotate(**_METRICS).order_by(key)
    return [_figures(labels.get(row[key], str(row[key])), row) for row in rows]


@dataclass(frozen=True)
class AppealStats:
    scope: UnionOrg | None
    date_from: date | None
    date_to: date | None
    total: Figures
    by_channel: list[Figures]
    by_nature: list[Figures]
    by_category: list[Figures]
    by_org: list[Figures]
    by_month: list[Figures]

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": self.scope.code if self.scope else None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "total": self.total.as_dict(),
            **{
                name: [f.as_dict() for f in getattr(self, name)]
                for name in ("by_channel", "by_nature", "by_category", "by_org", "by_month")
            },
        }


def appeal_stats(
    *, user: Any, date_from: date | None, date_to: date | None, org: UnionOrg | None = None
) -> AppealStats:
    """Figures over the appeals received in [from, to] in the user's subtree (or `org`'s)."""
    scope = org or getattr(user, "scope_org", None)
    qs = (
        selectors.appeal_list(
            user=user,
            org_code=org.code if org else None,
            received_from=date_from,
            received_to=date_to,
        )
        .exclude(status=AppealStatus.MERGED)
        .order_by()
        .annotate(replied_on=TruncDate("replied_at"))
    )
    total = _figures(_("Total"), qs.aggregate(**_METRICS))
    depth = len(scope.path) + UnionOrg.steplen if scope else UnionOrg.steplen
    by_org_rows = (
        qs.annotate(branch=Substr("org__path", 1, depth)).values("branch").annotate(**_METRICS)
    )
    names = dict(
        UnionOrg.objects.filter(path__in=[r["branch"] for r in by_org_rows]).values_list(
            "path", "name"
        )
    )
    by_org = sorted(
        (_figures(names.get(r["branch"], r["branch"]), r) for r in by_org_rows),
        key=lambda f: -f.received,
    )
    months = qs.annotate(month=TruncMonth("received_at")).values("month").annotate(**_METRICS)
    by_month = [
        _figures(f"{r['month']:%Y-%m}", r) for r in sorted(months, key=lambda r: r["month"])
    ]
    categories = {c.pk: c.label for c in Category.objects.all()}
    return AppealStats(
        scope=scope,
        date_from=date_from,
        date_to=date_to,
        total=total,
        by_channel=_grouped(qs, "channel", {k: str(v) for k, v in Channel.choices}),
        by_nature=_grouped(qs, "nature", {k: str(v) for k, v in Nature.choices}),
        by_category=_grouped(qs, "category", categories),
        by_org=by_org,
        by_month=by_month,
    )
