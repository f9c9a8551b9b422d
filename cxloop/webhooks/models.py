"""Outgoing webhooks: the endpoints an organisation registered and every delivery to them."""

import secrets
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation

# The events cxloop emits. Endpoints may only subscribe to these and `emit` refuses others,
# so a typo on either side fails loudly instead of never firing.
EVENTS = {
    "case.opened": _("a follow-up case was opened"),
    "case.escalated": _("a follow-up case was escalated"),
    "case.closed": _("a follow-up case was closed"),
}


def generate_secret() -> str:
    """A new signing secret; the prefix makes a leaked one easy to recognise in a scan."""
    return "whsec_" + secrets.token_urlsafe(32)


def validate_events(value: object) -> None:
    """A non-empty list of known event names."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_('Give a list of event names, e.g. ["case.opened"].'))
    unknown = [name for name in value if not isinstance(name, str) or name not in EVENTS]
    if unknown:
        raise ValidationError(
            _("Unknown events: %(unknown)s. Known: %(known)s."),
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(sorted(EVENTS))},
        )


class WebhookEndpoint(models.Model):
    """A URL of an organisation's own system that receives the events it subscribed to."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    # Only http(s): urllib would also open file:// and ftp:// URLs.
    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    # Kept in the clear because signing needs it; the admin shows it so it can be given to the receiver.
    secret = models.CharField(max_length=100, default=generate_secret, editable=False)
    events = models.JSONField(default=list, validators=[validate_events])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation", "url"]

    def __str__(self) -> str:
        return f"{self.url} ({self.organisation})"


class WebhookDelivery(models.Model):
    """One event for one endpoint, as an outbox row: written with the change, delivered by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    # Sent as X-Cxloop-Delivery and as "id" in the body, the same on every attempt,
    # so that a receiver can ignore a delivery it already processed.
    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.url}"
