from django.contrib import admin

from cxloop.journeys.models import (
    Channel,
    DataSharingAgreement,
    Interaction,
    Journey,
    JourneyType,
    Touchpoint,
)


class TouchpointInline(admin.TabularInline):
    model = Touchpoint
    extra = 0


class AgreementInline(admin.TabularInline):
    model = DataSharingAgreement
    extra = 0


@admin.register(JourneyType)
class JourneyTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "chain", "owner"]
    inlines = [TouchpointInline, AgreementInline]


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin):
    list_display = ["journey_type", "organisation", "visibility", "owner_case_access"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "chain"]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "journey_type", "position"]


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["external_id", "journey_type", "customer", "started_at", "ended_at"]
    list_filter = ["journey_type"]
    search_fields = ["external_id"]
    raw_id_fields = ["customer"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "organisation",
        "occurred_at",
        "channel",
        "touchpoint",
        "employee",
    ]
    list_filter = ["organisation", "channel"]
    search_fields = ["external_id"]
    raw_id_fields = ["journey", "customer", "unit", "employee", "touchpoint"]
    date_hierarchy = "occurred_at"
