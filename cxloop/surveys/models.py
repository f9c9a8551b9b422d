"""Surveys, their questions, the rules that send them and the invitations to customers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Customer
from cxloop.journeys.models import Interaction, Journey, JourneyType
from cxloop.orgs.models import Organisation


class Survey(models.Model):
    """A questionnaire an organisation sends to its customers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="surveys")
    name = models.CharField(max_length=200)
    intro_nl = models.TextField(blank=True)
    intro_en = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a survey, with its Dutch and English text."""

    class Kind(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")
        CES = "ces", _("CES (1–7)")
        OPEN = "open", _("open answer")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text_nl = models.TextField()
    text_en = models.TextField()
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text_en

    SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

    @property
    def scale(self) -> tuple[int, int] | None:
        return self.SCALES.get(self.kind)

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_nl


class InvitationRule(models.Model):
    """When an organisation invites a customer after an interaction, and with which survey."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitation_rules")
    journey_type = models.ForeignKey(
        JourneyType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitation_rules",
        help_text=_("Empty: every journey type"),
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    delay_minutes = models.PositiveIntegerField(default=0)
    valid_days = models.PositiveIntegerField(default=14)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.survey} after {self.journey_type or 'any interaction'}"


class Invitation(models.Model):
    """A request to one customer to answer a survey about an interaction."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SENT = "sent", _("sent")
        OPENED = "opened", _("opened")
        ANSWERED = "answered", _("answered")
        EXPIRED = "expired", _("expired")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="invitations")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="invitations")
    channel = models.CharField(max_length=10, default="email")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    # sha256 of the link's token: the token itself exists only in the message sent.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One invitation per interaction, so a retried trigger cannot ask twice.
            models.UniqueConstraint(fields=["interaction"], name="one_invitation_per_interaction")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer} ({self.status})"
