"""Figures of the legal services, as the federations report them: consultations, cases
accepted, mediated successfully, success rate, amounts involved and recovered — by district,
year, resolution path and category.

Every figure is read through the scoped selectors. Rows of a breakdown partition the total:
cases of orgs above the districts (the city's own centre) form a row of their own, so the
district rows plus that row add up to the city's total exactly.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from gonghui.legal import selectors
from gonghui.legal.models import (
    Claim,
    DisputeOutcome,
    DisputeType,
    ResolutionPath,
    RightsSubtype,
)
from gonghui.orgs.models import UnionOrg

DISTRICT_PATH = 8  # city (4) + district (4) characters of the materialised path


@dataclass
class Figures:
    label: str
    key: str = ""
    consultations: int = 0
    disputes: int = 0
    aid_cases: int = 0
    mediated: int = 0
    involved: Decimal = field(default_factory=lambda: Decimal(0))
    recovered: Decimal = field(default_factory=lambda: Decimal(0))

    @property
    def accepted(self) -> int:
        return self.disputes + self.aid_cases

    @property
    def success_rate(self) -> float | None:
        """Disputes mediated successfully ÷ disputes accepted (the seed's 81 000 of 116 000)."""
        return round(self.mediated / self.disputes, 4) if self.disputes else None

    def add(self, other: "Figures") -> None:
        self.consultations += other.consultations
        self.disputes += other.disputes
        self.aid_cases += other.aid_cases
        self.mediated += other.mediated
        self.involved += other.involved
        self.recovered += other.recovered

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "consultations": self.consultations,
            "accepted": self.accepted,
            "disputes": self.disputes,
            "legal_aid": self.aid_cases,
            "mediated": self.mediated,
            "success_rate": self.success_rate,
            "amount_involved": str(self.involved),
            "amount_recovered": str(self.recovered),
        }


@dataclass(frozen=True)
class LegalStats:
    year: int | None
    total: Figures
    by_district: list[Figures]
    by_year: list[Figures]
    by_path: list[Figures]
    by_category: list[Figures]


def _zero(value: Any) -> Decimal:
    return Decimal(value or 0)


def _collect(user: Any, year: int | None, key: str) -> dict[Any, Figures]:
    """Figures grouped by `key` (a lookup valid on every record model, or `year`)."""
    consultations = selectors.consultation_list(user=user)
    disputes = selectors.dispute_list(user=user)
    aid = selectors.aid_list(user=user)
    claims = Claim.objects.filter(case__in=disputes.values("pk"))
    if year is not None:
        consultations = consultations.filter(created_at__year=year)
        disputes = disputes.filter(created_at__year=year)
        aid = aid.filter(created_at__year=year)
        claims = claims.filter(case__created_at__year=year)
    out: dict[Any, Figures] = defaultdict(lambda: Figures(label=""))

    def keyed(qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
        if key == "year":
            return qs.annotate(k=ExtractYear(f"{prefix}created_at")).values("k").order_by()
        return qs.annotate(k=F(prefix + key)).values("k").order_by()

    for row in keyed(consultations).annotate(n=Count("pk")):
        out[row["k"]].consultations += row["n"]
    for row in keyed(disputes).annotate(
        n=Count("pk"),
        mediated=Count("pk", filter=Q(outcome=DisputeOutcome.MEDIATED)),
        recovered=Sum("amount_recovered"),
    ):
        figures = out[row["k"]]
        figures.disputes += row["n"]
        figures.mediated += row["mediated"]
        figures.recovered += _zero(row["recovered"])
    for row in keyed(claims, "case__").annotate(s=Sum("amount")):
        out[row["k"]].involved += _zero(row["s"])
    for row in keyed(aid).annotate(
        n=Count("pk"), claimed=Sum("amount_claimed"), recovered=Sum("amount_recovered")
    ):
        figures = out[row["k"]]
        figures.aid_cases += row["n"]
        figures.involved += _zero(row["claimed"])
        figures.recovered += _zero(row["recovered"])
    return out


def _disputes_by(user: Any, year: int | None, key: str) -> dict[Any, Figures]:
    disputes = selectors.dispute_list(user=user)
    if year is not None:
        disputes = disputes.filter(created_at__year=year)
    out: dict[Any, Figures] = defaultdict(lambda: Figures(label=""))
    for row in (
        disputes.values(*key.split(","))
        .annotate(
            n=Count("pk"),
            mediated=Count("pk", filter=Q(outcome=DisputeOutcome.MEDIATED)),
            recovered=Sum("amount_recovered"),
        )
        .order_by()
    ):
        figures = out[tuple(row[k] for k in key.split(","))]
        figures.disputes += row["n"]
        figures.mediated += row["mediated"]
        figures.recovered += _zero(row["recovered"])
    claims = Claim.objects.filter(case__in=disputes.values("pk"))
    for row in (
        claims.values(*(f"case__{k}" for k in key.split(","))).annotate(s=Sum("amount")).order_by()
    ):
        out[tuple(row[f"case__{k}"] for k in key.split(","))].involved += _zero(row["s"])
    return out


def _districts(user: Any, by_path: dict[str, Figures]) -> list[Figures]:
    """Roll org-level figures up to districts; orgs above the districts form one more row."""
    rolled: dict[str, Figures] = {}
    for path, figures in by_path.items():
        prefix = path[:DISTRICT_PATH] if len(path) >= DISTRICT_PATH else ""
        rolled.setdefault(prefix, Figures(label="", key=prefix)).add(figures)
    names = dict(
        UnionOrg.objects.filter(path__in=[p for p in rolled if p]).values_list("path", "name")
    )
    codes = dict(
        UnionOrg.objects.filter(path__in=[p for p in rolled if p]).values_list("path", "code")
    )
    rows = []
    for prefix in sorted(rolled):
        figures = rolled[prefix]
        figures.label = names.get(prefix, prefix) if prefix else _("City level (own cases)")
        figures.key = codes.get(prefix, "") if prefix else "city"
        rows.append(figures)
    return rows


def _total(rows: Iterable[Figures]) -> Figures:
    total = Figures(label=_("Total"), key="total")
    for row in rows:
        total.add(row)
    return total


def legal_stats(*, user: Any, year: int | None = None) -> LegalStats:
    by_org_path = _collect(user, year, "org__path")
    districts = _districts(user, by_org_path)
    years = _collect(user, None, "year")
    by_year = []
    for y in sorted((y for y in years if y is not None), reverse=True):
        years[y].label = str(y)
        years[y].key = str(y)
        by_year.append(years[y])
    paths = _disputes_by(user, year, "chosen_path")
    path_labels = dict(ResolutionPath.choices)
    by_path = []
    for (path,), figures in sorted(paths.items(), key=lambda kv: -kv[1].disputes):
        figures.label = str(path_labels.get(path, _("Path not chosen yet")))
        figures.key = path or "none"
        by_path.append(figures)
    categories = _disputes_by(user, year, "dispute_type,rights_subtype")
    by_category = []
    for (dispute_type, subtype), figures in sorted(categories.items()):
        figures.label = category_label(dispute_type, subtype)
        figures.key = f"{dispute_type}:{subtype}" if subtype else dispute_type
        by_category.append(figures)
    return LegalStats(
        year=year,
        total=_total(districts),
        by_district=districts,
        by_year=by_year,
        by_path=by_path,
        by_category=by_category,
    )


def category_label(dispute_type: str, subtype: str) -> str:
    types = dict(DisputeType.choices)
    subtypes = dict(RightsSubtype.choices)
    label = str(types.get(dispute_type, dispute_type))
    return f"{label} · {subtypes.get(subtype, subtype)}" if subtype else label


def stats_years(*, user: Any) -> list[int]:
    years = (
        selectors.dispute_list(user=user)
        .annotate(y=ExtractYear("created_at"))
        .values_list("y", flat=True)
        .distinct()
        .order_by()
    )
    return sorted({y for y in years if y}, reverse=True)
