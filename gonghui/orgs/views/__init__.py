from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.orgs import selectors
from gonghui.orgs.forms import EmployerFilterForm


@login_required
def org_tree(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The org tree browser: one node, its in-scope ancestors and its children with coverage."""
    if code is None:
        org = selectors.org_scope_root(user=request.user)
    else:
        org = selectors.org_get(user=request.user, code=code)
    if org is None:
        raise Http404
    page = Paginator(selectors.org_children(user=request.user, org=org), 100).get_page(
        request.GET.get("page")
    )
    coverage = selectors.coverage_of_children(user=request.user, parent=org, children=list(page))
    context = {
        "org": org,
        "breadcrumbs": selectors.org_breadcrumbs(user=request.user, org=org),
        "coverage": selectors.coverage_of(user=request.user, org=org),
        "children": [(child, coverage[child.pk]) for child in page],
        "page": page,
    }
    template = "orgs/_tree_panel.html" if request.htmx else "orgs/tree.html"
    return render(request, template, context)


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    form = EmployerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    employers = selectors.employer_list(
        user=request.user,
        q=filters.get("q"),
        has_union=filters.get("has_union"),
        industry=filters.get("industry"),
        status=filters.get("status"),
        org_code=filters.get("org"),
    )
    page = Paginator(employers, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "orgs/_employer_table.html" if request.htmx else "orgs/employers.html"
    return render(request, template, context)


@login_required
def employer_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    employer = selectors.employer_get(user=request.user, uscc=uscc)
    if employer is None:
        raise Http404
    changes = selectors.employer_changes(user=request.user, employer=employer)[:50]
    return render(request, "orgs/employer_detail.html", {"employer": employer, "changes": changes})
