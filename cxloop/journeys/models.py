"""Journey types, journeys, channels, touchpoints and the interactions that make up a journey."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Customer
from cxloop.orgs.models import Chain, Employee, Organisation, Unit


class JourneyType(models.Model):
    """A kind of journey (schade melden, klacht, ...) owned by one organisation of the chain."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="journey_types")
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="owned_journey_types"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField()

    class Meta:
        verbose_name = _("journey type")
        verbose_name_plural = _("journey types")
        constraints = [
            models.UniqueConstraint(fields=["chain", "slug"], name="journey_type_slug_per_chain")
        ]

    def __str__(self) -> str:
        return self.name


class DataSharingAgreement(models.Model):
    """What a participating partner may see of a journey type's results, and what its owner sees of the partner's cases."""

    class Visibility(models.TextChoices):
        OWN = "own", _("only its own part")
        TOTALS = "totals", _("its own part and the journey totals")
        ALL = "all", _("every partner's part")

    class CaseAccess(models.TextChoices):
        NONE = "none", _("not at all")
        READ = "read", _("read-only")

    journey_type = models.ForeignKey(
        JourneyType, on_delete=models.CASCADE, related_name="agreements"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.OWN)
    # A case about the partner's own contact is the partner's to handle; the owner's journey owners
    # follow it as this says (docs/access.md). The chain's KPIs count it either way, as numbers.
    owner_case_access = models.CharField(
        max_length=10,
        choices=CaseAccess.choices,
        default=CaseAccess.READ,
        verbose_name=_("the journey owner sees the partner's cases"),
        help_text=_(
            "Cases about the partner's contacts in this journey type are handled by the partner"
        ),
    )

    class Meta:
        verbose_name = _("data sharing agreement")
        verbose_name_plural = _("data sharing agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["journey_type", "organisation"], name="one_agreement_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.journey_type}: {self.visibility}"


class Channel(models.Model):
    """A way of contact: telefoon, e-mail, chat, WhatsApp, ... (editable per chain)."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="channels")
    name = models.CharField(max_length=100)
    slug = models.SlugField()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["chain", "slug"], name="channel_slug_per_chain")
        ]

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    """A moment in a journey type where the customer meets the chain."""

    journey_type = models.ForeignKey(
        JourneyType, on_delete=models.CASCADE, related_name="touchpoints"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["journey_type", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey_type", "slug"], name="touchpoint_slug_per_journey_type"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Journey(models.Model):
    """One customer's concrete journey (claim 123), which may span organisations."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="journeys")
    # No index of its own: the unique (journey type, customer, journey id) leads with it, and
    # ingestion writes every new journey into each index.
    journey_type = models.ForeignKey(
        JourneyType, on_delete=models.PROTECT, related_name="journeys", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="journeys")
    external_id = models.CharField(max_length=128)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        # The chain's id of a journey is namespaced by journey type and customer, so that posting an
        # id cannot reveal whether another customer's journey uses it (issue 10).
        constraints = [
            models.UniqueConstraint(
                fields=["journey_type", "customer", "external_id"],
                name="journey_external_id_per_type_and_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journey_type} {self.external_id}"


class Interaction(models.Model):
    """One contact in a journey: when, through which channel, at which touchpoint, by whom."""

    # No index of its own: the unique (organisation, external id) leads with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="interactions", db_index=False
    )
    external_id = models.CharField(max_length=128)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="interactions")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    occurred_at = models.DateTimeField(db_index=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="interactions")
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    # How long the customer waited for an answer: phone pick-up, chat or e-mail reply (seconds).
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="interaction_external_id_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.occurred_at:%Y-%m-%d %H:%M}"
