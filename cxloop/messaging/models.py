"""Every message cxloop sends to a customer or employee, kept as a record (the outbox)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation


class OutboxMessage(models.Model):
    """A message as it left cxloop; in the embedded default, the only delivery there is."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        STORED = "stored", _("stored in outbox")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("refused by the recipient's server")

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    channel = models.CharField(max_length=10, default="email")
    sender = models.CharField(max_length=254)
    recipient = models.CharField(max_length=254)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    # The bodies hold markers where token-bearing links go, never the links (messaging/links.py).
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The kind of each link in the bodies and the id it is made from when the message is sent.
    links = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # What the message is for ("invitation", "reminder", "case_assigned") and the id it is about,
    # so that a bounce can stop further attempts of the sender.
    purpose = models.CharField(max_length=20, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
