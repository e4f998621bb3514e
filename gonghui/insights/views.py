"""Dashboards, the statistical report and the assessment scorecards; all scoped (404 outside)."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.exporting import write_xlsx
from gonghui.insights import selectors, services
from gonghui.insights.columns import COLUMN, COLUMNS, table_rows
from gonghui.insights.forms import SchemeForm, TargetForm
from gonghui.insights.selectors import Window
from gonghui.orgs.models import UnionOrg
from gonghui.orgs.selectors import org_breadcrumbs, org_scope_root

app_name = "insights"


def _org(request: HttpRequest, code: str) -> UnionOrg:
    org = selectors.org_for(user=request.user, code=code)
    if org is None:
        raise Http404
    return org


def _month(raw: str | None, default: date) -> date:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return default


def _xlsx(rows: list[list[str]], *, sheet: str, name: str) -> FileResponse:
    return FileResponse(
        open(write_xlsx(rows, sheet=sheet), "rb"), as_attachment=True, filename=f"{name}.xlsx"
    )


def dashboard_data(user: Any, org: UnionOrg, last: date) -> dict[str, Any]:
    """What the dashboard page, its charts and the API show for `org` up to month `last`."""
    window = Window.year_to(last).snapped(selectors.monthly_from())
    data = selectors.breakdown(user=user, org=org, window=window)
    trend = selectors.series(user=user, org=org, last=last)
    return {
        "breakdown": data,
        "series": trend,
        "chart": {
            "years": trend.years,
            "yearly": trend.yearly,
            "months": trend.months,
            "monthly": trend.monthly,
            "children": [
                {
                    "name": child.name,
                    "url": reverse("insights:org", kwargs={"code": child.code})
                    + f"?month={last:%Y-%m}",
                    "members": row.get("members"),
                    "orgs": row.get("orgs"),
                    "coverage": COLUMN["coverage"].value(row),
                }
                for child, row in data.children
            ],
        },
    }


@login_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    org = org_scope_root(user=request.user)
    if org is None:
        raise Http404
    return redirect("insights:org", code=org.code)


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    today = timezone.localdate()
    last = min(_month(request.GET.get("month"), today.replace(day=1)), today.replace(day=1))
    data = dashboard_data(request.user, org, last)
    breakdown = data["breakdown"]
    total = breakdown.total
    context = {
        "org": org,
        "last": last,
        "query": f"?month={last:%Y-%m}",
        "breadcrumbs": org_breadcrumbs(user=request.user, org=org),
        "total": total,
        "kpi": {c.key: c.text(total) for c in COLUMNS},
        "columns": COLUMNS,
        "rows": [(child, [c.text(row) for c in COLUMNS]) for child, row in breakdown.children],
        "own": [c.text(breakdown.own) for c in COLUMNS] if breakdown.own else None,
        "total_cells": [c.text(total) for c in COLUMNS],
        "chart": data["chart"],
        "run": selectors.last_run(),
    }
    return render(request, "insights/dashboard.html", context)


def _breakdown_rows(breakdown: selectors.Breakdown) -> list[selectors.Indicators]:
    rows = [row for _child, row in breakdown.children]
    if breakdown.own is not None:
        rows.append(breakdown.own)
    total = breakdown.total
    return [*rows, selectors.Indicators(_("Total"), total.code, total.path, total.values)]


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest, code: str) -> FileResponse:
    org = _org(request, code)
    today = timezone.localdate().replace(day=1)
    last = min(_month(request.GET.get("month"), today), today)
    window = Window.year_to(last).snapped(selectors.monthly_from())
    breakdown = selectors.breakdown(user=request.user, org=org, window=window)
    rows = table_rows(_breakdown_rows(breakdown), first=_("Org"))
    return _xlsx(rows, sheet=f"{last:%Y-%m}", name=f"dashboard-{org.code}-{last:%Y-%m}")


@login_required
@require_GET
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The statistical report: the standard indicators per child org for months from..to."""
    org = _org(request, code)
    today = timezone.localdate().replace(day=1)
    last = min(_month(request.GET.get("to"), today), today)
    first = min(_month(request.GET.get("from"), last.replace(month=1)), last)
    window = Window(first, last).snapped(selectors.monthly_from())
    first, last = window.first, window.last
    breakdown = selectors.breakdown(user=request.user, org=org, window=window)
    rows = _breakdown_rows(breakdown)
    name = f"report-{org.code}-{first:%Y%m}-{last:%Y%m}"
    if request.GET.get("format") == "xlsx":
        return _xlsx(table_rows(rows, first=_("Org")), sheet=f"{first:%Y-%m}", name=name)
    context = {
        "org": org,
        "first": first,
        "last": last,
        "columns": COLUMNS,
        "rows": [(row.label, [c.text(row) for c in COLUMNS]) for row in rows],
        "generated": timezone.localtime(),
        "run": selectors.last_run(),
    }
    if request.GET.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string("insights/report_pdf.html", context, request=request)
        return HttpResponse(
            HTML(string=html).write_pdf(),
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    context["breadcrumbs"] = org_breadcrumbs(user=request.user, org=org)
    return render(request, "insights/report.html", context)


# --- assessment scorecards ---------------------------------------------------------------------


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    org = org_scope_root(user=request.user)
    form = SchemeForm(initial={"year": timezone.localdate().year})
    context = {
        "schemes": selectors.scheme_list(user=request.user),
        "form": form,
        "org": org,
        "may_create": org is not None and selectors.may_assess(user=request.user, org=org),
    }
    return render(request, "insights/assessments.html", context)


@login_required
@require_POST
def scheme_save(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    form = SchemeForm(request.POST)
    if not form.is_valid():
        context = {"schemes": selectors.scheme_list(user=request.user), "form": form, "org": org}
        context["may_create"] = True
        return render(request, "insights/assessments.html", context, status=400)
    scheme = services.scheme_save(
        user=request.user,
        org=org,
        year=form.cleaned_data["year"],
        quantity_weight=form.cleaned_data["quantity_weight"],
        cap_percent=form.cleaned_data["cap_percent"],
        quality_items=form.cleaned_data["quality_items"],
    )
    messages.success(request, _("Assessment scheme saved."))
    return redirect("insights:scheme", pk=scheme.pk)


def _scores(scheme: Any) -> list[selectors.Score]:
    return selectors.scheme_scores(scheme, today=timezone.localdate())


@login_required
@require_GET
def scheme(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.scheme_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    scores = sorted(_scores(found), key=lambda s: (s.rank, s.target.org.path))
    if request.GET.get("format") == "xlsx":
        header = [
            _("Rank"), _("Org"), _("Target: new unions"), _("New unions"),
            _("Target: new members"), _("New members"), _("Target: coverage (%)"),
            _("Coverage"), _("Quantity score"), _("Quality score"), _("Total score"),
        ]  # fmt: skip
        rows = [header] + [
            [
                str(s.rank),
                s.target.org.name,
                str(s.target.new_unions),
                str(s.actual_new_unions),
                str(s.target.new_members),
                str(s.actual_new_members),
                str(s.target.coverage),
                "–" if s.actual_coverage is None else f"{s.actual_coverage:.1%}",
                _num(s.quantity),
                _num(s.quality),
                _num(s.total),
            ]
            for s in scores
        ]
        return _xlsx(rows, sheet=str(found.year), name=f"assessment-{found.org.code}-{found.year}")
    form = SchemeForm(
        initial={
            "year": found.year,
            "quantity_weight": found.quantity_weight,
            "cap_percent": found.cap_percent,
            "quality_items": "\n".join(f"{i.name}, {i.weight}" for i in found.quality_items.all()),
        }
    )
    context = {
        "scheme": found,
        "scores": scores,
        "may_edit": selectors.may_assess(user=request.user, org=found.org),
        "form": form,
    }
    return render(request, "insights/scheme.html", context)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _target_form(target: Any, data: Any = None) -> TargetForm:
    scores = {s.item_id: s.score for s in target.quality_scores.all()}
    return TargetForm(data, instance=target, items=target.scheme.quality_items.all(), scores=scores)


def _target_page(
    request: HttpRequest, target: Any, form: TargetForm, status: int = 200
) -> HttpResponse:
    scores = _scores(target.scheme)
    score = next(s for s in scores if s.target.pk == target.pk)
    context = {
        "target": target,
        "scheme": target.scheme,
        "score": score,
        "count": len(scores),
        "may_edit": selectors.may_assess(user=request.user, org=target.scheme.org),
        "may_see_scheme": selectors.scheme_get(user=request.user, pk=target.scheme_id) is not None,
        "form": form,
    }
    return render(request, "insights/target.html", context, status=status)


@login_required
@require_GET
def target(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.target_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return _target_page(request, found, _target_form(found))


@login_required
@require_POST
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.target_get(user=request.user, pk=pk)
    if found is None:
        raise Http404
    if not selectors.may_assess(user=request.user, org=found.scheme.org):
        raise PermissionDenied(_("Only the assessing org edits these targets."))
    form = _target_form(found, request.POST)
    if not form.is_valid():
        return _target_page(request, found, form, status=400)
    services.target_update(
        user=request.user,
        target=found,
        new_unions=form.cleaned_data["new_unions"],
        new_members=form.cleaned_data["new_members"],
        coverage=form.cleaned_data["coverage"],
        quality_scores=form.quality_scores(),
    )
    messages.success(request, _("Targets saved."))
    return redirect("insights:target", pk=found.pk)


urlpatterns = [
    path("insights/", dashboard_home, name="dashboard"),
    path("insights/org/<str:code>/", dashboard, name="org"),
    path("insights/org/<str:code>/export.xlsx", dashboard_xlsx, name="org_xlsx"),
    path("insights/org/<str:code>/report/", report, name="report"),
    path("insights/assessments/", assessments, name="assessments"),
    path("insights/assessments/org/<str:code>/", scheme_save, name="scheme_save"),
    path("insights/assessments/<int:pk>/", scheme, name="scheme"),
    path("insights/targets/<int:pk>/", target, name="target"),
    path("insights/targets/<int:pk>/edit", target_edit, name="target_edit"),
]
