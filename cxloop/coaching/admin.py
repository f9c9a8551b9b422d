from django.contrib import admin

from cxloop.coaching.models import CoachingNote


@admin.register(CoachingNote)
class CoachingNoteAdmin(admin.ModelAdmin):
    list_display = ["employee", "author", "created_at"]
    raw_id_fields = ["employee", "response", "author"]
