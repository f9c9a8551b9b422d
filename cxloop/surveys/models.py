"""Surveys, their questions, the rules that send them and the invitations to customers."""

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Customer
from cxloop.journeys.models import Interaction, Journey, JourneyType
from cxloop.orgs.models import Organisation


class Survey(models.Model):
    """One version of a questionnaire; a published version never changes, editing makes a new one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="surveys")
    # The first version is the family's root; later versions point at it. Rules point at the root.
    family = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    name = models.CharField(max_length=200)
    intro_nl = models.TextField(blank=True)
    intro_en = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    @property
    def root_id(self) -> int:
        return self.family_id or self.pk


class Question(models.Model):
    """One question of a survey, with its Dutch and English text."""

    class Kind(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")
        CES = "ces", _("CES (1–7)")
        OPEN = "open", _("open answer")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        MOMENT = "moment", _("moment that mattered most")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text_nl = models.TextField()
    text_en = models.TextField()
    required = models.BooleanField(default=False)
    # For choice questions: [{"value": "prijs", "nl": "Prijs", "en": "Price"}, ...]
    choices = models.JSONField(default=list, blank=True)
    # A question about one touchpoint is attributed to the partner who handled that touchpoint.
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    # Asked only when the answer to another (scale) question lies in [condition_min, condition_max].
    condition_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="dependent_questions"
    )
    condition_min = models.SmallIntegerField(null=True, blank=True)
    condition_max = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text_en

    SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

    @property
    def scale(self) -> tuple[int, int] | None:
        return self.SCALES.get(self.kind)

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_nl

    @property
    def shown_text(self) -> str:
        """The question in the language the page is shown in (a staff page: Dutch unless switched)."""
        return self.text(get_language() or "nl")


class InvitationRule(models.Model):
    """When an organisation invites a customer, through which channel, and with which survey."""

    class Trigger(models.TextChoices):
        AFTER_INTERACTION = "interaction", _("after an interaction")
        JOURNEY_END = "journey_end", _("at the end of the journey")
        INACTIVITY = "inactivity", _("after some hours without a new interaction")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitation_rules"
    )
    journey_type = models.ForeignKey(
        JourneyType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitation_rules",
        help_text=_("Empty: every journey type"),
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitation_rules",
        help_text=_("Empty: every touchpoint"),
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    trigger = models.CharField(
        max_length=12, choices=Trigger.choices, default=Trigger.AFTER_INTERACTION
    )
    inactivity_hours = models.PositiveIntegerField(default=48)
    delay_minutes = models.PositiveIntegerField(default=0)
    sampling_percent = models.PositiveSmallIntegerField(default=100)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    fallback_channel = models.CharField(max_length=5, choices=Channel.choices, blank=True)
    # Quiet hours in Europe/Amsterdam; a window may cross midnight (21:00–08:00). They hold for
    # e-mail too unless a rule says otherwise: a survey at 22:30 is a request nobody wants.
    quiet_start = models.TimeField(default=datetime.time(21, 0))
    quiet_end = models.TimeField(default=datetime.time(8, 0))
    quiet_hours_for_email = models.BooleanField(default=True)
    reminder_after_days = models.PositiveIntegerField(null=True, blank=True)
    valid_days = models.PositiveIntegerField(default=14)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("invitation rule")
        verbose_name_plural = _("invitation rules")

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
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="invitations")
    # Indexed by the unique constraint below; a second, plain index would only cost writes.
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="invitations", db_index=False
    )
    rule = models.ForeignKey(
        InvitationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    channel = models.CharField(max_length=10, default="email")
    # Indexed in Meta: db_index on a CharField adds a second, LIKE-pattern index nobody uses.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # sha256 of the link's token: the token itself exists only in the messages sent. Unique in
    # Meta, for the same reason as the status; NULL until sent, as many unsent ones may be.
    token_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    send_after = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One invitation per interaction, so a retried trigger cannot ask twice.
            models.UniqueConstraint(fields=["interaction"], name="one_invitation_per_interaction"),
            models.UniqueConstraint(fields=["token_hash"], name="one_invitation_per_token"),
        ]
        indexes = [models.Index(fields=["status"], name="surveys_invitation_status")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer} ({self.status})"


class ContactPolicy(models.Model):
    """The chain's central rules ("regie") on how often any partner may ask a customer."""

    chain = models.OneToOneField(
        "orgs.Chain", on_delete=models.CASCADE, related_name="contact_policy"
    )
    quarantine_days = models.PositiveIntegerField(
        default=30,
        help_text=_("No new invitation from any partner within this many days of the last one"),
    )
    cap_count = models.PositiveIntegerField(
        default=4, help_text=_("At most this many invitations ...")
    )
    cap_period_days = models.PositiveIntegerField(default=365, help_text=_("... in this many days"))
    one_request_per_journey = models.BooleanField(default=True)
    suppress_during_open_complaint = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policies")

    def __str__(self) -> str:
        return f"contact policy of {self.chain}"


class InvitationDecision(models.Model):
    """Why a customer was or was not invited after an interaction: the answer to "why (not) asked?"."""

    class Outcome(models.TextChoices):
        INVITED = "invited", _("invited")
        NOT_INVITED = "not_invited", _("not invited")
        WAITING = "waiting", _("waiting for the journey to end")

    class Reason(models.TextChoices):
        INVITED = "invited", _("all rules allow it")
        NO_RULE = "no_rule", _("no invitation rule applies")
        OPTED_OUT = "opted_out", _("the customer opted out")
        NO_ADDRESS = "no_address", _("no usable e-mail address or phone number")
        NOT_SAMPLED = "not_sampled", _("not drawn in the sample")
        QUARANTINE = "quarantine", _("invited recently by a partner of the chain")
        CAP = "cap", _("the cap of invitations per period is reached")
        JOURNEY_ASKED = "journey_asked", _("this journey already has an invitation")
        OPEN_COMPLAINT = "open_complaint", _("the customer has an open complaint case")
        WAITING = "waiting", _("waiting for the end of the journey")
        NOT_AT_TOUCHPOINT = "not_at_touchpoint", _("the rule asks at another touchpoint")

    # A decision is a log row, written by the planner a hundred thousand at a time. Only its
    # interaction is a foreign key constraint in the database: customer, journey and chain are the
    # interaction's own (constrained there), and the planner writes the ids it has just read under
    # the customers' locks. Deleting through Django still cascades (or sets null) for every field.
    # The constraints cost about a third of the planner's time (benchmarks/README.md).
    # Not indexed: no read filters decisions by chain, and deleting a whole chain may scan.
    chain = models.ForeignKey(
        "orgs.Chain",
        on_delete=models.CASCADE,
        related_name="invitation_decisions",
        db_constraint=False,
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="invitation_decisions", db_constraint=False
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitation_decisions",
        db_constraint=False,
    )
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitation_decisions",
    )
    # The interaction's journey, kept for reading. Not indexed and not cascaded from: a journey's
    # decisions are its interactions' decisions, deleted with them through the interaction.
    journey = models.ForeignKey(
        Journey,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    rule = models.ForeignKey(
        InvitationRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("invitation decision")
        verbose_name_plural = _("invitation decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.outcome} ({self.reason})"

    @property
    def shown_detail(self) -> str:
        """The detail in the reader's language, times in Europe/Amsterdam ("e-mail op 3 dec 2026 14:05")."""
        from cxloop.surveys.decision_text import shown_detail

        return shown_detail(self.detail)


class UnplannedInteraction(models.Model):
    """An interaction recorded for planning that has no decision yet: the sweeper's to-do list.

    Written in the transaction that records the interaction and deleted in the one that decides,
    so an interaction whose planning task was never queued, or died, is still planned. A list of
    what is owed rather than a scan of interactions without decisions: the sweeper reads a small
    table every 30 s instead of anti-joining all interactions, and demo data written in bulk
    (never meant to invite anyone) is not on it.
    """

    # Not a foreign key the database checks (db_constraint=False): ingestion writes a row per
    # interaction, a check each at commit, 3% of a batch. Django still deletes the row with its
    # interaction, and planning takes ids whose interaction is gone off the list.
    interaction = models.OneToOneField(
        Interaction,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # No index: the sweeper takes the oldest by id (ids follow recording), through the primary
    # key; an index on the time was one more index write for every interaction ingested.
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("unplanned interaction")
        verbose_name_plural = _("unplanned interactions")

    def __str__(self) -> str:
        return f"interaction {self.interaction_id} awaiting its decision"


class InactivityWait(models.Model):
    """An interaction waiting for its journey to go quiet under an inactivity rule: the sweeper's
    list of those, by the moment the quiet period ends.

    Written with the interaction's "waiting" decision and taken off when the quiet period has
    passed: the interaction is then decided, or a later contact in its journey has taken its place
    (and waits itself). The waiting decisions stay in the log for "why (not) asked?", so the
    sweeper reads this short list instead of every waiting decision ever stored, and a wait that a
    later contact superseded leaves the list instead of taking a place in every sweep.
    """

    # Not a foreign key the database checks, like UnplannedInteraction: Django deletes the row
    # with its interaction, and the sweeper drops a wait whose interaction is gone.
    interaction = models.OneToOneField(
        Interaction,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    due_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("inactivity wait")
        verbose_name_plural = _("inactivity waits")

    def __str__(self) -> str:
        return f"interaction {self.interaction_id} waiting until {self.due_at:%Y-%m-%d %H:%M}"
