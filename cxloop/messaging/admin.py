from django.contrib import admin

from cxloop.messaging.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "recipient", "subject", "status"]
    list_filter = ["status", "organisation"]
    search_fields = ["recipient", "subject"]
