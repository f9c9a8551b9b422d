"""The append-only audit log: who changed what, and who looked at whose personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import ApiKey, Organisation


class AppendOnly(Exception):
    """An audit entry cannot be changed or deleted, except by a privacy erasure's redaction."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries are append-only")

    def delete(self):
        raise AppendOnly("audit entries are append-only")


class AuditEntry(models.Model):
    """One change made by a person or an API key, or one view or export of personal data."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("change")
        VIEW = "view", _("view of personal data")
        EXPORT = "export", _("export of personal data")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No index of its own: every read of the log is one organisation's, newest first
    # (audit_org_at), and three kinds would not narrow it much; ingestion writes an entry per
    # contact change, so each index is paid for a thousand times a batch.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    # Who: a user, an API key, or the system itself (a worker, a purge); the label survives the
    # user or key being deleted, so that the log stays readable. The references are the log's
    # own, not constraints the database checks (db_constraint=False): an entry only ever points
    # at a row that existed when it was written, Django still sets it to NULL when that row is
    # deleted, and ingestion writes an entry per contact change, a check each per reference.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200)
    # Whose data: the organisation whose privacy officer reads this entry.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        db_index=False,  # audit_org_at leads with it
        db_constraint=False,
    )
    # No index of its own either: the log is filtered by action within one organisation
    # (audit_org_at), and an index on it cost two (Django adds a second one for LIKE).
    action = models.CharField(
        max_length=60, help_text=_("What happened, e.g. customer.contact_changed")
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The customer the entry is about, if any, so that an erasure can redact it.
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("redaction", False):
            raise AppendOnly("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are append-only")
