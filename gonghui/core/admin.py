from django.contrib import admin

from gonghui.core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar: admins enter each year's State Council notice (Nov/Dec)."""

    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date",)
