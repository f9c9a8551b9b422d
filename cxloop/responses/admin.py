from django.contrib import admin

from cxloop.responses.models import Answer, Response


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    # Raw ids, not selects: a select of every interaction takes half a minute to render at volume.
    raw_id_fields = ["interaction", "unit", "employee"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "organisation", "nps", "employee", "channel", "submitted_at"]
    list_filter = ["organisation", "channel", "journey_type"]
    raw_id_fields = ["invitation", "customer", "interaction", "journey", "unit", "employee"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["response", "question", "number", "text"]
    raw_id_fields = ["response", "interaction", "unit", "employee"]
