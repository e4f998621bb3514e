from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from gonghui.orgs.models import Employer, UnionOrg


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
