"""What a privacy officer keeps: retention per organisation, erasure receipts, purge runs,
and the anonymous stand-in customers that keep erased customers' scores for the statistics."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Customer
from cxloop.orgs.models import ApiKey, Chain, Organisation

DEFAULT_CONTACT_MONTHS = 12
DEFAULT_FREE_TEXT_MONTHS = 24
DEFAULT_MESSAGE_BODY_DAYS = 30


class RetentionPolicy(models.Model):
    """How long an organisation keeps contact details, free text and message bodies."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="retention_policy"
    )
    contact_months = models.PositiveSmallIntegerField(
        _("contact details (months after the last contact)"),
        default=DEFAULT_CONTACT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    free_text_months = models.PositiveSmallIntegerField(
        _("free text (months)"),
        default=DEFAULT_FREE_TEXT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    message_body_days = models.PositiveSmallIntegerField(
        _("message bodies (days)"),
        default=DEFAULT_MESSAGE_BODY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"retention of {self.organisation}"


class ErasureReceipt(models.Model):
    """Proof that a customer was erased: who asked, when, and how many rows went, never the key."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="erasure_receipts"
    )
    # The organisations that held data about the customer; their privacy officers see the receipt too.
    organisations = models.ManyToManyField(Organisation, related_name="+", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    erased_at = models.DateTimeField(db_index=True)
    # HMAC-SHA256 of "chain id:key" with a key derived from SECRET_KEY: lets the officer check
    # later whether a given key was erased, without keeping the key.
    customer_hash = models.CharField(max_length=64, db_index=True)
    # {"deleted": {table: n}, "anonymised": {table: n}, "redacted": {table: n}}
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("erasure receipt")
        verbose_name_plural = _("erasure receipts")
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"erasure receipt {self.pk}"

    @property
    def total(self) -> int:
        return sum(n for group in self.counts.values() for n in group.values())


class PurgeRun(models.Model):
    """One application of an organisation's retention policy, with what it blanked or removed."""

    class Trigger(models.TextChoices):
        DAILY = "daily", _("daily purge")
        MANUAL = "manual", _("started by hand")

    # Empty: the messages that belong to no organisation (kept with the default periods).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="purge_runs"
    )
    day = models.DateField()
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.DAILY)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, default="cxloop")
    counts = models.JSONField(default=dict)  # {"contact_details": n, ...}

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            # The daily purge runs once per organisation and day, however many sweepers race for it.
            models.UniqueConstraint(
                fields=["organisation", "day"],
                condition=models.Q(trigger="daily"),
                name="one_daily_purge_per_organisation",
            ),
            # NULLs are distinct in a unique index, so the run for rows of no organisation needs its own.
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(trigger="daily", organisation__isnull=True),
                name="one_daily_purge_without_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"purge of {self.organisation or 'cxloop'} on {self.day}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class AnonymousCustomer(models.Model):
    """The stand-in that holds erased customers' scores as anonymous rows: one per chain and segment.

    A response must have a customer; after an erasure its scores stay (so that dashboards and
    analyses keep their numbers) attached to this stand-in, which has a random key, no contact
    details and is opted out, so that nobody can find, ask or export it.
    """

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="+")
    segment = models.CharField(max_length=64, blank=True)
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("anonymised customer")
        verbose_name_plural = _("anonymised customers")
        constraints = [
            models.UniqueConstraint(fields=["chain", "segment"], name="one_stand_in_per_segment")
        ]

    def __str__(self) -> str:
        return f"anonymous customer of {self.chain} ({self.segment or 'no segment'})"
