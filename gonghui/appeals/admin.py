"""Admin pages for the appeal line's settings: categories, routing rules, channel clients.

Appeals themselves are changed only through the services (history, scope, notifications), so
they have no admin page.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.appeals.models import Category, ChannelClient, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "active", "order")
    list_editable = ("active", "order")
    search_fields = ("code", "name")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """归口管理、分级负责: the most specific active rule routes an appeal (see the model)."""

    list_display = (
        "category", "region_code", "industry", "level", "department", "raise_from_workers",
        "active",
    )  # fmt: skip
    list_filter = ("level", "active", "category")
    list_editable = ("active",)


@admin.action(description=_("Revoke the selected clients"))
def revoke(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ChannelClient)
class ChannelClientAdmin(admin.ModelAdmin):
    """Clients are created with `gonghui create_channel_client` (which shows the token once)."""

    list_display = ("name", "channel", "org", "hint", "created_at", "last_used_at", "revoked_at")
    list_filter = ("channel",)
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at")
    actions = [revoke]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
