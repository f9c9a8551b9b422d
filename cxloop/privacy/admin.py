from django.contrib import admin

from cxloop.privacy.models import ErasureReceipt, PurgeRun, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """Read-only: periods change on the privacy page, which writes the audit log."""

    list_display = [
        "organisation",
        "contact_months",
        "free_text_months",
        "message_body_days",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ErasureReceipt)
class ErasureReceiptAdmin(admin.ModelAdmin):
    """Read-only: a receipt is proof, not a setting."""

    list_display = ["pk", "erased_at", "organisation", "actor_label"]
    list_filter = ["organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "organisation", "trigger", "counts"]
    list_filter = ["trigger", "organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
