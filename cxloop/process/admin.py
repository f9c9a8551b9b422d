from django.contrib import admin

from cxloop.process.models import EventLog


@admin.register(EventLog)
class EventLogAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "status", "cases", "events", "bad_count", "created_at")
    list_filter = ("status", "organisation")
    readonly_fields = (
        "status",
        "progress",
        "events",
        "cases",
        "bad_count",
        "bad_rows",
        "warnings",
        "error",
        "finished_at",
    )
    search_fields = ("name", "file_name")
    raw_id_fields = ("uploaded_by",)
