from django.contrib import admin
from django.http import HttpRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from gonghui.orgs.models import Employer, OrgWorkSettings, RatingItem, UnionOrg, UnionWorker


@admin.register(UnionOrg)
class UnionOrgAdmin(TreeAdmin):
    form = movenodeform_factory(UnionOrg)
    list_display = ("name", "code", "kind", "region_code", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "code")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry", "employees", "status", "org", "union")
    list_filter = ("status", "industry")
    search_fields = ("name", "uscc")
    raw_id_fields = ("org", "community", "union")
    list_select_related = ("org", "union")


@admin.register(OrgWorkSettings)
class OrgWorkSettingsAdmin(admin.ModelAdmin):
    """The editable rules: supervision, staffing norm, election warning, rating grades."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not OrgWorkSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RatingItem)
class RatingItemAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "weight", "active", "position")
    list_editable = ("weight", "active", "position")


@admin.register(UnionWorker)
class UnionWorkerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "post", "org", "status", "full_time", "funding_share")
    list_filter = ("kind", "status", "full_time")
    search_fields = ("name", "org__code")
    raw_id_fields = ("org",)
