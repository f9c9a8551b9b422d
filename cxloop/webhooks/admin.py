from django.contrib import admin

from cxloop.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "events", "is_active", "secret", "created_at"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["url"]
    # Generated, never typed in: shown so the admin can hand it to the receiving system.
    readonly_fields = ["secret", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint__organisation"]
    search_fields = ["uuid", "endpoint__url"]
    raw_id_fields = ["endpoint"]
    # A record of what was sent; changing it by hand would make it lie.
    readonly_fields = [
        "uuid",
        "event",
        "payload",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    ]
