"""Admin pages for the legal services' providers: firms, lawyers, groups, mediators and the duty
roster. Consultations and cases change only through the services (scope, audit, clocks), so they
have no admin page. Mediation centres and rooms are service points (gonghui.places): a mediator's
place is one of them, on the branch of the mediator's union.

A lawyer's phone is typed in clear in the form and stored encrypted with its mask
(gonghui.core.pii).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gonghui.core import pii
from gonghui.core.validators import InvalidValue, normalize_mobile
from gonghui.legal.models import (
    DutyRoster,
    LawFirm,
    Lawyer,
    LawyerTeam,
    Mediator,
    Specialty,
)
from gonghui.legal.services import mediation_place_check


@admin.register(LawFirm)
class LawFirmAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "contract_start", "contract_end", "contract_value", "active")
    list_filter = ("active",)
    search_fields = ("name",)


class LawyerForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, required=False,
        help_text=_("Leave empty to keep the stored number."),
    )  # fmt: skip
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"), choices=Specialty.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = Lawyer
        fields = ("firm", "name", "licence_number", "specialties", "user", "active")

    def clean_new_phone(self) -> str:
        raw: str = self.cleaned_data["new_phone"]
        if not raw.strip():
            return ""
        try:
            return normalize_mobile(raw)
        except InvalidValue as exc:
            raise forms.ValidationError(str(exc)) from None

    def save(self, commit: bool = True) -> Any:
        lawyer = super().save(commit=False)
        phone = self.cleaned_data.get("new_phone")
        if phone:
            lawyer.phone = pii.encrypt(phone)
            lawyer.phone_masked = pii.mask_phone(phone)
        if commit:
            lawyer.save()
        return lawyer


@admin.register(Lawyer)
class LawyerAdmin(admin.ModelAdmin):
    form = LawyerForm
    list_display = ("name", "firm", "licence_number", "phone_masked", "user", "active")
    list_filter = ("active", "firm")
    search_fields = ("name", "licence_number")
    raw_id_fields = ("user",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("phone_masked",)


@admin.register(LawyerTeam)
class LawyerTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "active")
    filter_horizontal = ("lawyers",)


class MediatorForm(forms.ModelForm):
    class Meta:
        model = Mediator
        fields = ("org", "name", "place", "user", "active")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        org, place = data.get("org"), data.get("place")
        if org is not None and place is not None:
            try:
                mediation_place_check(place=place, org=org)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    form = MediatorForm
    list_display = ("name", "place", "org", "active")
    search_fields = ("name",)


@admin.register(DutyRoster)
class DutyRosterAdmin(admin.ModelAdmin):
    list_display = ("day", "shift", "lawyer")
    list_filter = ("shift",)
    date_hierarchy = "day"
