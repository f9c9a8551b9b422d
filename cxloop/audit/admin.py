from django.contrib import admin
from django.db import models, transaction

from cxloop.audit.models import AuditEntry
from cxloop.audit.services import actor_of, record_change, snapshot, stored
from cxloop.orgs.models import Organisation

SECRET_WORDS = ("hash", "secret", "token", "password")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = [
        "at",
        "kind",
        "actor_label",
        "organisation",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["kind", "organisation"]
    search_fields = ["action", "actor_label", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletions write audit entries, with the fields before and after.

    The admin site writes models directly, not through the services, so it records its own changes:
    `<noun>.created`, `.changed` and `.deleted` (or the verbs an admin names, e.g. role.granted).
    """

    audit_noun = ""
    audit_verbs = ("created", "changed", "deleted")

    def _audit_fields(self, obj: models.Model) -> list[str]:
        # Never a secret, not even its hash: the log is read by more people than the secret's owner.
        return [
            f.name
            for f in obj._meta.concrete_fields
            if not f.primary_key and not any(word in f.name for word in SECRET_WORDS)
        ]

    def _organisation(self, obj: models.Model) -> Organisation | None:
        if isinstance(obj, Organisation):
            return obj
        return getattr(obj, "organisation", None)

    def _action(self, obj: models.Model, verb: int) -> str:
        return f"{self.audit_noun or obj._meta.model_name}.{self.audit_verbs[verb]}"

    def save_model(self, request, obj, form, change) -> None:
        fields = self._audit_fields(obj)
        before = stored(obj, fields) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = snapshot(obj, fields)
            if before != after:
                record_change(
                    actor=actor_of(request),
                    action=self._action(obj, 1 if change else 0),
                    target=obj,
                    organisation=self._organisation(obj),
                    before=before,
                    after=after,
                    detail="in the admin site",
                )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            self._record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def _record_deletion(self, request, obj: models.Model) -> None:
        record_change(
            actor=actor_of(request),
            action=self._action(obj, 2),
            target=obj,
            organisation=self._organisation(obj),
            before=snapshot(obj, self._audit_fields(obj)),
            detail="in the admin site",
        )
