from django.contrib import admin

from gonghui.places.models import ServicePoint, Venue


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "org", "status", "grade")
    list_filter = ("kind", "status", "grade")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("org",)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "point", "member_limit", "cancel_hours", "active")
    list_filter = ("active",)
    raw_id_fields = ("point",)
