"""Admin pages for the legal services' providers: firms, lawyers, groups, mediation centres and
rooms, mediators and the duty roster. Consultations and cases change only through the services
(scope, audit, clocks), so they have no admin page.

A lawyer's phone is typed in clear in the form and stored encrypted with its mask
(gonghui.core.pii).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gonghui.core import pii
from gonghui.core.validators import InvalidValue, normalize_mobile
from gonghui.legal.models import (
    DutyRoster,
    LawFirm,
    Lawyer,
    LawyerTeam,
    MediationPlace,
    Mediator,
    Specialty,
)


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


@admin.register(MediationPlace)
class MediationPlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "org", "address")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "place", "org", "active")
    search_fields = ("name",)


@admin.register(DutyRoster)
class DutyRosterAdmin(admin.ModelAdmin):
    list_display = ("day", "shift", "lawyer")
    list_filter = ("shift",)
    date_hierarchy = "day"
