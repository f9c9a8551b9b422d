"""Chains, organisations, their units and people, roles and API keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Chain(models.Model):
    """Organisations that serve customers together (a keten)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = _("chain")
        verbose_name_plural = _("chains")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation in a chain: a journey owner or a partner."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    sender_email = models.EmailField(
        blank=True, help_text=_("From address of messages to customers")
    )
    reply_to_email = models.EmailField(
        blank=True, help_text=_("Where customers' replies go; never a no-reply")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A department, team or other part of an organisation; a tree of any depth."""

    class Kind(models.TextChoices):
        DIVISION = "division", _("division")
        DEPARTMENT = "department", _("department")
        TEAM = "team", _("team")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEAM)
    # Materialised path "/3/17/42/" so that a roll-up is one prefix filter.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    lead = models.ForeignKey(
        "Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_units"
    )
    # A closed unit keeps its history; no new employees or interactions are placed in it.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="unit_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Employee(models.Model):
    """A person working in a unit; optionally a user who logs in."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="employees"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees")
    code = models.CharField(
        max_length=64, help_text=_("The organisation's own employee number or id")
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    skills = models.JSONField(
        default=list, blank=True, help_text=_("Customer segments this employee serves best")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    # Set when the employee left (cxloop.orgs.structure.leave): their answers stay in the statistics.
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="employee_code_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("employee")
    TEAM_LEAD = "team_lead", _("team lead")
    ORG_ADMIN = "org_admin", _("organisation admin")
    JOURNEY_OWNER = "journey_owner", _("journey owner")
    ANALYST = "analyst", _("analyst")
    PRIVACY_OFFICER = "privacy_officer", _("privacy officer")


class Membership(models.Model):
    """A user's role in an organisation, optionally narrowed to one unit and its subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "unit", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit or self.organisation}"


class ApiKey(models.Model):
    """A revocable key with which an organisation's systems call the API; only its hash is kept."""

    class Scope(models.TextChoices):
        READ = "read", "read"  # GET: read responses and interactions
        WRITE = "write", "write"  # POST, PUT, PATCH, DELETE: record interactions, opt-outs

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.CharField(
        max_length=32, default="read,write", help_text=_("read, write or read,write")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("empty: the key does not expire")
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.organisation})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)
