"""Reference data of benefits edited by superusers: occupations and subsidy programmes."""

from django.contrib import admin

from gonghui.benefits.models import Occupation, SubsidyProgramme


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(SubsidyProgramme)
class SubsidyProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org", "starts_on", "ends_on", "budget")
    filter_horizontal = ("occupations",)
    raw_id_fields = ("org",)
