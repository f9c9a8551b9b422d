from django.contrib import admin

from cxloop.surveys.models import Invitation, InvitationRule, Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "created_at"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text_en", "kind", "survey", "position"]


@admin.register(InvitationRule)
class InvitationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "journey_type",
        "survey",
        "delay_minutes",
        "valid_days",
        "is_active",
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "organisation",
        "customer",
        "status",
        "send_after",
        "sent_at",
        "expires_at",
    ]
    list_filter = ["status", "organisation"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["customer", "journey", "interaction"]
