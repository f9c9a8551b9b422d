from django.contrib import admin

from cxloop.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["key", "chain", "language", "segment", "opted_out_at"]
    list_filter = ["chain", "language"]
    search_fields = ["key", "email", "phone"]
