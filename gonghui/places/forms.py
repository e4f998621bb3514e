from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gonghui.places.hours import Hours, HoursInvalid, format_hours, parse_hours
from gonghui.places.importing import _CONTACT_RE, _MOBILE_RE
from gonghui.places.models import Amenity, Grade, PointKind, PointStatus, ServicePoint

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class PointFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, code or address"), required=False, widget=forms.TextInput(_TEXT)
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank(PointKind.choices),
        widget=forms.Select(_SELECT),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(PointStatus.choices),
        widget=forms.Select(_SELECT),
    )


def chinese_active() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


class PointForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"), regex=r"^[A-Za-z0-9_.\-]{1,32}$", widget=forms.TextInput(_TEXT)
    )
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(_TEXT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PointKind.choices, widget=forms.Select(_SELECT)
    )
    org_code = forms.CharField(
        label=_("Managing union (code)"), max_length=32, widget=forms.TextInput(_TEXT)
    )
    address = forms.CharField(label=_("Address"), max_length=200, widget=forms.TextInput(_TEXT))
    region_code = forms.RegexField(
        label=_("Region code"), regex=r"^[1-9]\d{5}$", required=False, widget=forms.TextInput(_TEXT)
    )
    lat = forms.FloatField(
        label=_("Latitude (GCJ-02)"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput({**_TEXT, "step": "any"}),
    )
    lng = forms.FloatField(
        label=_("Longitude (GCJ-02)"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput({**_TEXT, "step": "any"}),
    )
    hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        widget=forms.Textarea({**_TEXT, "rows": 3}),
        help_text=_(
            "For example: 周一至周五 08:30-17:30；周六 09:00-12:00；节假日 休息 — or 24h, "
            "overnight ranges like 22:00-06:00, special days like 2026-10-02 10:00-16:00."
        ),
    )
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"),
        required=False,
        choices=Amenity.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.CharField(
        label=_("Services offered (one a line)"),
        required=False,
        widget=forms.Textarea({**_TEXT, "rows": 3}),
    )
    contact = forms.CharField(
        label=_("Contact telephone"), max_length=40, required=False, widget=forms.TextInput(_TEXT)
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=PointStatus.choices, widget=forms.Select(_SELECT)
    )
    grade = forms.TypedChoiceField(
        label=_("Standardisation grade"),
        choices=Grade.choices,
        coerce=int,
        widget=forms.Select(_SELECT),
    )

    @classmethod
    def initial_for(cls, point: ServicePoint) -> dict[str, Any]:
        return {
            "code": point.code,
            "name": point.name,
            "kind": point.kind,
            "org_code": point.org.code,
            "address": point.address,
            "region_code": point.region_code,
            "lat": point.lat,
            "lng": point.lng,
            "hours": format_hours(Hours.from_json(point.hours), chinese=chinese_active()),
            "amenities": point.amenities,
            "services": "\n".join(point.services),
            "contact": point.contact,
            "status": point.status,
            "grade": point.grade,
        }

    def clean_hours(self) -> dict[str, Any]:
        try:
            return parse_hours(self.cleaned_data["hours"]).to_json()
        except HoursInvalid as exc:
            raise ValidationError(str(exc)) from None

    def clean_services(self) -> list[str]:
        lines = self.cleaned_data["services"].splitlines()
        return [line.strip()[:100] for line in lines if line.strip()][:50]

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        if contact and (not _CONTACT_RE.match(contact) or _MOBILE_RE.search(contact)):
            raise ValidationError(_("Give the point's landline or hotline, not a personal mobile."))
        return contact

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org_code")
        data["lat"], data["lng"] = round(data["lat"], 6), round(data["lng"], 6)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"), widget=forms.ClearableFileInput({"class": "form-control"})
    )


class VisitForm(forms.Form):
    people = forms.IntegerField(
        label=_("Walk-in visitors"),
        min_value=1,
        max_value=10_000,
        initial=1,
        widget=forms.NumberInput(_TEXT),
    )


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Venue name"), max_length=100, widget=forms.TextInput(_TEXT))
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.TextInput(_TEXT)
    )
    member_limit = forms.IntegerField(
        label=_("Bookings per member"),
        min_value=1,
        max_value=50,
        initial=2,
        widget=forms.NumberInput(_TEXT),
    )
    cancel_hours = forms.IntegerField(
        label=_("Cancel up to (hours before)"),
        min_value=0,
        max_value=168,
        initial=2,
        widget=forms.NumberInput(_TEXT),
    )


_WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class SlotPlanForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput({**_TEXT, "type": "date"}))
    last_day = forms.DateField(label=_("To"), widget=forms.DateInput({**_TEXT, "type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=_WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start = forms.TimeField(label=_("Starts"), widget=forms.TimeInput({**_TEXT, "type": "time"}))
    end = forms.TimeField(label=_("Ends"), widget=forms.TimeInput({**_TEXT, "type": "time"}))
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=100_000, widget=forms.NumberInput(_TEXT)
    )

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "first_day": today + timedelta(days=1),
            "last_day": today + timedelta(days=14),
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "capacity": 20,
        }


class NearForm(forms.Form):
    """The portal finder: the browser's position, or a centre chosen by hand."""

    near = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    centre = forms.TypedChoiceField(
        label=_("Or choose a centre"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank(PointKind.choices),
        widget=forms.Select(_SELECT),
    )
    open_now = forms.BooleanField(
        label=_("Open now"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, centres: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [("", "—"), *centres]  # type: ignore[attr-defined]
