from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import ApiToken, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "scope_org", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    autocomplete_fields = ("scope_org",)
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Scope and role"), {"fields": ("scope_org", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at")
    search_fields = ("user__username", "name")
