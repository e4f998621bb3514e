"""Statistics dashboard and the monthly situation report (page, XLSX, PDF), all scoped."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from gonghui.appeals.report import monthly_report, report_rows
from gonghui.appeals.stats import appeal_stats
from gonghui.core.exporting import write_xlsx
from gonghui.core.scoping import scoped
from gonghui.orgs.models import UnionOrg


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _org(request: HttpRequest) -> UnionOrg | None:
    code = request.GET.get("org", "").strip()
    if not code:
        return None
    org = scoped(UnionOrg.objects.all(), user=request.user).filter(code=code).first()
    if org is None:
        raise Http404
    return org


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_from = _date(request.GET.get("from")) or today.replace(day=1, month=1)
    date_to = _date(request.GET.get("to")) or today
    figures = appeal_stats(
        user=request.user, date_from=date_from, date_to=date_to, org=_org(request)
    )
    context = {"stats": figures, "data": figures.as_dict(), "org_code": request.GET.get("org", "")}
    return render(request, "appeals/stats.html", context)


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    data = monthly_report(user=request.user, month=month, org=_org(request))
    name = f"12351-{month:%Y-%m}"
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            open(write_xlsx(report_rows(data), sheet=f"{month:%Y-%m}"), "rb"),
            as_attachment=True,
            filename=f"{name}.xlsx",
        )
    if request.GET.get("format") == "pdf":
        return HttpResponse(
            report_pdf(request, data),
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return render(request, "appeals/report.html", {"report": data, "month": month})


def report_pdf(request: HttpRequest, data: object) -> bytes:
    from weasyprint import HTML

    html = render_to_string("appeals/report_pdf.html", {"report": data}, request=request)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


urlpatterns = [
    path("appeals/stats/", stats, name="stats"),
    path("appeals/report/", report, name="report"),
]
