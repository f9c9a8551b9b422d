from django.contrib import admin

from cxloop.audit.admin import AuditedAdmin
from cxloop.orgs.models import ApiKey, Chain, Employee, Membership, Organisation, Unit


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "chain", "sender_email"]
    list_filter = ["chain"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "kind", "parent", "lead", "path"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "lead"]


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    list_display = ["name", "code", "organisation", "unit", "user"]
    list_filter = ["organisation"]
    search_fields = ["name", "code", "email"]
    raw_id_fields = ["unit", "user"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    audit_noun = "role"
    audit_verbs = ("granted", "changed", "revoked")
    list_display = ["user", "role", "organisation", "unit"]
    list_filter = ["role", "organisation"]
    raw_id_fields = ["user", "unit"]


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    audit_noun = "api_key"
    list_display = ["prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_filter = ["organisation"]

    def has_add_permission(self, request) -> bool:
        # Keys are made with `cxloop apikey create`, which shows the key once.
        return False
