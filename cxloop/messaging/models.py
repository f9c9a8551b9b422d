"""Every message cxloop sends to a customer or employee, kept as a record (the outbox)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation


class OutboxMessage(models.Model):
    """A message as it left cxloop; in the embedded default, the only delivery there is."""

    class Status(models.TextChoices):
        STORED = "stored", _("stored in outbox")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    channel = models.CharField(max_length=10, default="email")
    sender = models.CharField(max_length=254)
    recipient = models.CharField(max_length=254)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STORED)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
