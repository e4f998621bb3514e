"""Staff accounts in the Django admin: read-only (see admin_site). Creating, editing, roles and
second factors go through the back-office pages, which audit them and keep the duties apart."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import ApiToken, User

# django-otp's own admin would let a superuser add a device for someone else.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class StaffUserAdmin(ReadOnlyAdmin, UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "role", "scope_org", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "phone_masked")}),
        (_("Scope and role"), {"fields": ("scope_org", "role", "is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at")
    search_fields = ("user__username", "name")
