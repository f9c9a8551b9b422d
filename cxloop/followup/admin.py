from django.contrib import admin

from cxloop.followup.models import CaseEvent, FollowUpCase


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    raw_id_fields = ["actor"]


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(admin.ModelAdmin):
    list_display = ["pk", "organisation", "reason", "status", "assignee", "due_at"]
    list_filter = ["status", "organisation"]
    raw_id_fields = ["response", "unit", "assignee"]
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "at", "actor"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "actor"]
