"""Back office: service items (the catalogue, items on the card) and segments (live count)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gonghui.accounts.capabilities import Capability, can, require
from gonghui.benefits import selectors
from gonghui.benefits.forms import ItemForm, SegmentForm, segment_initial
from gonghui.benefits.models import ItemCategory, Segment, ServiceItem
from gonghui.benefits.segments import rules_clean, rules_describe
from gonghui.benefits.services.catalogue import item_save, segment_save
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.selectors import org_get


def form_errors(form: object, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: on the form)."""
    fields = getattr(form, "fields", {})
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, exc.messages)  # type: ignore[attr-defined]


def _editable(request: HttpRequest, owned: Segment | ServiceItem | None) -> bool:
    """A new object, or one of the user's subtree (an ancestor's is read, not changed)."""
    return owned is None or org_in_scope(owned.org, user=request.user)


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    on_card = {"1": True, "0": False}.get(request.GET.get("on_card", ""))
    items = selectors.item_list(
        user=request.user, q=request.GET.get("q", "").strip(), category=category, on_card=on_card
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "categories": ItemCategory.choices,
        "category": category,
        "on_card": request.GET.get("on_card", ""),
        "q": request.GET.get("q", ""),
        "can_manage": can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/items.html", context)


def _item_form_page(request: HttpRequest, item: ServiceItem | None) -> HttpResponse:
    initial = {}
    if item is not None:
        initial = {
            "org": item.org.code, "name": item.name, "category": item.category,
            "provider_kind": item.provider_kind, "provider_name": item.provider_name,
            "segment": item.segment_id, "how_to_use": item.how_to_use,
            "valid_from": item.valid_from, "valid_until": item.valid_until,
            "on_card": item.on_card, "active": item.active,
        }  # fmt: skip
    form = ItemForm(request.POST or None, user=request.user, initial=initial)
    editable = _editable(request, item)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not change service items."))
        if not editable:
            raise PermissionDenied(_("Only the union that owns it changes this."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = item_save(
                    org=data["org"], name=data["name"], category=data["category"],
                    provider_kind=data["provider_kind"], provider_name=data["provider_name"],
                    segment=data["segment"], how_to_use=data["how_to_use"],
                    valid_from=data["valid_from"], valid_until=data["valid_until"],
                    on_card=data["on_card"], active=data["active"], item=item,
                )  # fmt: skip
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The service item was saved."))
                return redirect("benefits:item", pk=saved.pk)
    context = {
        "form": form,
        "item": item,
        "can_manage": editable and can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/item_form.html", context)


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    return _item_form_page(request, None)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_list(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return _item_form_page(request, item)


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    segments = [(s, rules_describe(s.rules)) for s in selectors.segment_list(user=request.user)]
    context = {"segments": segments, "can_manage": can(request.user, Capability.MANAGE_BENEFITS)}
    return render(request, "benefits/segments.html", context)


def _segment_form_page(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    initial = segment_initial(segment) if segment is not None else {}
    form = SegmentForm(request.POST or None, user=request.user, initial=initial)
    editable = _editable(request, segment)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_BENEFITS, _("You may not change segments."))
        if not editable:
            raise PermissionDenied(_("Only the union that owns it changes this."))
        if form.is_valid():
            try:
                saved = segment_save(
                    org=form.cleaned_data["org"],
                    name=form.cleaned_data["name"],
                    rules=form.rules(),
                    segment=segment,
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The segment was saved."))
                return redirect("benefits:segment", pk=saved.pk)
    count = None
    if segment is not None:
        count = selectors.segment_count(user=request.user, rules=segment.rules, within=segment.org)
    context = {
        "form": form,
        "segment": segment,
        "count": count,
        "can_manage": editable and can(request.user, Capability.MANAGE_BENEFITS),
    }
    return render(request, "benefits/segment_form.html", context)


@login_required
def segment_new(request: HttpRequest) -> HttpResponse:
    return _segment_form_page(request, None)


@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_list(user=request.user).filter(pk=pk).first()
    if segment is None:
        raise Http404
    return _segment_form_page(request, segment)


@login_required
@require_GET
def segment_count(request: HttpRequest) -> HttpResponse:
    """HTMX: the number of members the rules being edited select, in the user's scope."""
    form = SegmentForm(request.GET, user=request.user)
    org = org_get(user=request.user, code=request.GET.get("org", "").strip())
    context: dict[str, object] = {"count": None, "error": ""}
    if org is None:
        context["error"] = _("No union with this code in your scope.")
    else:
        try:
            rules = rules_clean(form.rules())
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            context["count"] = selectors.segment_count(user=request.user, rules=rules, within=org)
    return render(request, "benefits/_segment_count.html", context)


urlpatterns = [
    path("benefits/items/", item_list, name="items"),
    path("benefits/items/new/", item_new, name="item_new"),
    path("benefits/items/<int:pk>/", item_detail, name="item"),
    path("benefits/segments/", segment_list, name="segments"),
    path("benefits/segments/new/", segment_new, name="segment_new"),
    path("benefits/segments/count/", segment_count, name="segment_count"),
    path("benefits/segments/<int:pk>/", segment_detail, name="segment"),
]
