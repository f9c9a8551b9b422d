"""Event logs imported for analysis, and their events."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation


class EventLog(models.Model):
    """An event log (XES or CSV) imported by an organisation as its own analysable dataset."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be read")
        READING = "reading", _("being read")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be read")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="event_logs"
    )
    name = models.CharField(max_length=200)
    file_name = models.CharField(max_length=255)
    # The uploaded file while it waits to be read; removed once its events are in the database.
    upload_path = models.CharField(max_length=500, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    events = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    bad_count = models.PositiveIntegerField(default=0)
    bad_rows = models.JSONField(default=list, blank=True)  # the first 1000 as [line, reason]
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event log")
        verbose_name_plural = _("event logs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def busy(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.READING}


class LogEvent(models.Model):
    """One event of an imported log; `position` is its place in the file."""

    log = models.ForeignKey(EventLog, on_delete=models.CASCADE, related_name="log_events")
    position = models.PositiveIntegerField()
    case_id = models.TextField()
    activity = models.TextField()
    timestamp = models.DateTimeField()
    resource = models.TextField(blank=True)  # empty: the event has no resource
    organisation = models.TextField(blank=True)

    class Meta:
        verbose_name = _("event of a log")
        verbose_name_plural = _("events of a log")
        constraints = [
            models.UniqueConstraint(fields=["log", "position"], name="log_event_position")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.activity}"
