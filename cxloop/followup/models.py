"""Follow-up cases opened from responses, with their event history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response


class FollowUpCase(models.Model):
    """A dissatisfied customer to call back, assigned to someone, due by a time."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONTACTED = "contacted", _("contacted")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        NORMAL = "normal", _("normal")
        LOW = "low", _("low")

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="followup_case")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="followup_cases")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="followup_cases")
    assignee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    reason = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} ({self.status})"


class CaseEvent(models.Model):
    """One step in a case's life: opened, assigned, contact attempt, note, closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        ASSIGNED = "assigned", _("assigned")
        CONTACT_ATTEMPT = "contact_attempt", _("contact attempt")
        NOTE = "note", _("note")
        CLOSED = "closed", _("closed")

    case = models.ForeignKey(FollowUpCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
