from django.contrib import admin

from cxloop.customers.models import ContactSharing, Customer, CustomerContact

# Shown and read-only alike (a tuple: the admin's types take a tuple of names, not a list).
CONTACT_FIELDS = (
    "organisation",
    "email",
    "phone",
    "language",
    "email_invalid_at",
    "phone_invalid_at",
    "source",
    "updated_at",
)


class CustomerContactInline(admin.TabularInline):
    """Each organisation's details, read-only: they change only through that organisation's own posts."""

    model = CustomerContact
    extra = 0
    can_delete = False
    fields = CONTACT_FIELDS
    readonly_fields = CONTACT_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["key", "chain", "language", "segment", "opted_out_at"]
    list_filter = ["chain", "language"]
    search_fields = ["key", "email", "phone", "contacts__email", "contacts__phone"]
    # Contact details change only through the services that write the audit log.
    readonly_fields = ["email", "phone", "email_invalid_at", "phone_invalid_at"]
    inlines = [CustomerContactInline]


@admin.register(ContactSharing)
class ContactSharingAdmin(admin.ModelAdmin):
    list_display = ["chain", "partners_use_owner_details", "updated_at"]
    readonly_fields = ["chain", "partners_use_owner_details", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # set on the chain's contact-sharing page, which writes the audit log
