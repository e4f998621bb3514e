"""The holiday calendar: every staff user reads it; the system administrator keeps it."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability, can, require
from gonghui.core.calendar_services import (
    calendar_day_remove,
    calendar_days_set,
    calendar_year_days,
    calendar_year_missing,
)
from gonghui.core.forms import StyledForm
from gonghui.core.models import DayKind

app_name = "calendar"
REFUSED = gettext_lazy("Your role may not change the holiday calendar.")


class RangeForm(StyledForm):
    first = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=100, required=False)


def _year(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)


def _to_year(year: int) -> HttpResponse:
    return redirect(f"{reverse('calendar:year')}?year={year}")


@login_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    context = {
        "year": year,
        "days": calendar_year_days(year=year),
        "missing": calendar_year_missing(today=today),
        "can_edit": can(request.user, Capability.MANAGE_SETTINGS),
        "form": RangeForm(initial={"first": date(year, 1, 1), "last": date(year, 1, 1)}),
    }
    return render(request, "core/calendar/year.html", context)


@login_required
@require_POST
def calendar_add(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_SETTINGS, str(REFUSED))
    form = RangeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("calendar:year")
    data = form.cleaned_data
    try:
        count = calendar_days_set(
            first=data["first"], last=data["last"], kind=data["kind"], note=data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d days listed.") % {"n": count})
    return _to_year(data["first"].year)


@login_required
@require_POST
def calendar_remove(request: HttpRequest, day: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_SETTINGS, str(REFUSED))
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not calendar_day_remove(day=when):
        raise Http404
    messages.success(request, _("%(day)s follows the week again.") % {"day": when.isoformat()})
    return _to_year(when.year)


urlpatterns = [
    path("calendar/", calendar_year, name="year"),
    path("calendar/days/", calendar_add, name="add"),
    path("calendar/days/<str:day>/remove/", calendar_remove, name="remove"),
]
