from django.contrib import admin

from gonghui.notify.models import OptOut, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Delivery status of outgoing messages; the phone is shown masked only."""

    list_display = ("created_at", "template", "phone_masked", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "transactional")
    search_fields = ("reference", "message_id")
    exclude = ("phone", "phone_index")
    readonly_fields = [
        f.name for f in OutboxMessage._meta.fields if f.name not in ("phone", "phone_index")
    ]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("phone_masked", "created_at")
    exclude = ("phone_index",)
