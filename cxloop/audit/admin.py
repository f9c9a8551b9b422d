from django.contrib import admin

from cxloop.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = [
        "at",
        "kind",
        "actor_label",
        "organisation",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["kind", "organisation"]
    search_fields = ["action", "actor_label", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
