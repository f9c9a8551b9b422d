"""Follow-up cases opened from responses, with their event history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response


def default_opening_hours() -> dict[str, list[list[str]]]:
    return {str(day): [["08:30", "17:30"]] for day in range(5)}


class FollowUpSettings(models.Model):
    """An organisation's business hours for SLAs and its follow-up habits."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="followup_settings"
    )
    # {"0": [["08:30", "12:00"], ["13:00", "17:30"]], ...}: weekday 0 is Monday, Europe/Amsterdam.
    opening_hours = models.JSONField(default=default_opening_hours)
    closed_on_public_holidays = models.BooleanField(default=True)
    max_failed_attempts = models.PositiveSmallIntegerField(
        default=3,
        help_text=_("After this many failed contact attempts the case closes as unreachable"),
    )
    remind_before_hours = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name = _("follow-up settings")
        verbose_name_plural = _("follow-up settings")

    def __str__(self) -> str:
        return f"follow-up settings of {self.organisation}"


class SlaPolicy(models.Model):
    """Working hours until first contact and until resolution, per journey type and priority."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sla_policies"
    )
    journey_type = models.ForeignKey(
        "journeys.JourneyType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
    )
    priority = models.CharField(max_length=8, default="normal")
    first_contact_hours = models.DecimalField(max_digits=6, decimal_places=2, default=8)
    resolution_hours = models.DecimalField(max_digits=6, decimal_places=2, default=40)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.organisation} {self.journey_type or 'any journey'} {self.priority}"


class FollowUpQueue(models.Model):
    """A named queue of employees who share follow-up cases, round robin."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="followup_queues"
    )
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(Employee, blank=True, related_name="followup_queues")
    prefer_known_employee = models.BooleanField(
        default=True, help_text=_("Give the case to a member who already handled this customer")
    )
    match_segment = models.BooleanField(
        default=False, help_text=_("Prefer a member whose skills include the customer's segment")
    )
    last_assigned = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up queue")
        verbose_name_plural = _("follow-up queues")

    def __str__(self) -> str:
        return self.name


class RootCause(models.Model):
    """An entry of the organisation's editable root-cause taxonomy."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="root_causes"
    )
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="root_cause_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class CustomerMessageTemplate(models.Model):
    """The message back to the customer ("terugmelding"), in Dutch and English, with placeholders."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="customer_message_templates"
    )
    name = models.CharField(max_length=100)
    subject_nl = models.CharField(max_length=200)
    body_nl = models.TextField(help_text=_("Placeholders: {organisation}, {action}, {employee}"))
    subject_en = models.CharField(max_length=200)
    body_en = models.TextField()

    class Meta:
        verbose_name = _("message template for customers")
        verbose_name_plural = _("message templates for customers")

    def __str__(self) -> str:
        return self.name


class FollowUpRule(models.Model):
    """When a response opens a case (or forwards a compliment), and who gets it."""

    class Action(models.TextChoices):
        OPEN_CASE = "open_case", _("open a follow-up case")
        FORWARD_COMPLIMENT = (
            "compliment",
            _("forward the compliment to the employee and their lead"),
        )

    class Owner(models.TextChoices):
        UNIT_LEAD = "unit_lead", _("the lead of the employee's unit")
        QUEUE = "queue", _("a follow-up queue")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="followup_rules"
    )
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    journey_type = models.ForeignKey(
        "journeys.JourneyType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followup_rules",
    )
    channel = models.ForeignKey(
        "journeys.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    segment = models.CharField(max_length=64, blank=True)
    nps_max = models.SmallIntegerField(null=True, blank=True, help_text=_("e.g. 6 for detractors"))
    nps_min = models.SmallIntegerField(
        null=True, blank=True, help_text=_("e.g. 9 for promoters (compliments)")
    )
    csat_max = models.SmallIntegerField(null=True, blank=True)
    ces_min = models.SmallIntegerField(null=True, blank=True)
    keywords = models.TextField(
        blank=True, help_text=_("Words in the open answer, one per line (e.g. opzeggen, klacht)")
    )
    require_comment = models.BooleanField(default=False)
    action = models.CharField(max_length=12, choices=Action.choices, default=Action.OPEN_CASE)
    priority = models.CharField(max_length=8, default="normal")
    owner = models.CharField(max_length=10, choices=Owner.choices, default=Owner.UNIT_LEAD)
    queue = models.ForeignKey(
        FollowUpQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="rules"
    )

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["organisation", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class FollowUpCase(models.Model):
    """A dissatisfied customer to call back, assigned to someone, due by a time."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONTACTED = "contacted", _("contacted")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the customer")
        RESOLVED = "resolved", _("resolved")
        INFORMED = "informed", _("customer informed")
        CLOSED = "closed", _("closed")

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        NORMAL = "normal", _("normal")
        LOW = "low", _("low")

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="followup_case"
    )
    rule = models.ForeignKey(
        FollowUpRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # The organisation that owns the case now; a hand-over to a partner changes it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="followup_cases"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="followup_cases"
    )
    queue = models.ForeignKey(
        FollowUpQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assignee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    reason = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    first_contact_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(db_index=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reassignments = models.PositiveSmallIntegerField(default=0)
    handovers = models.PositiveSmallIntegerField(
        default=0, help_text=_("Moves between units or organisations")
    )
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    action_taken = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    customer_message = models.TextField(blank=True)
    informed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} ({self.status})"


# How a contact attempt reached (or tried to reach) the customer; stored in CaseEvent.data["channel"].
CONTACT_CHANNELS = {"phone": _("phone"), "email": _("e-mail"), "sms": _("text message")}


class CaseEvent(models.Model):
    """One step in a case's life: opened, assigned, contact attempt, note, closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        ASSIGNED = "assigned", _("assigned")
        REASSIGNED = "reassigned", _("reassigned")
        CONTACT_ATTEMPT = "contact_attempt", _("contact attempt")
        NOTE = "note", _("note")
        STARTED = "started", _("work started")
        PAUSED = "paused", _("waiting for the customer")
        RESUMED = "resumed", _("resumed")
        REMINDED = "reminded", _("reminder sent")
        ESCALATED = "escalated", _("escalated")
        RESOLVED = "resolved", _("resolved")
        CUSTOMER_INFORMED = "customer_informed", _("customer informed")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    case = models.ForeignKey(FollowUpCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # A step taken through the API names the organisation's key instead of a person.
    api_key = models.ForeignKey("orgs.ApiKey", null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def channel_label(self) -> str:
        """The contact attempt's channel in the reader's language ("telefoon")."""
        channel = self.data.get("channel", "")
        return str(CONTACT_CHANNELS.get(channel, channel))

    @property
    def actor_name(self) -> str:
        """Who did it, by name (select_related("actor__employee") to avoid a query per event)."""
        if self.actor is None:
            return ""
        employee = getattr(self.actor, "employee", None)
        return (
            (employee.name if employee else "") or self.actor.get_full_name() or self.actor.username
        )
