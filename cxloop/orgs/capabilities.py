"""Who may do what: every access rule of cxloop as a named capability, granted by roles in one table.

A membership without a unit grants a role's capabilities in the whole organisation
(`Grant.in_organisation`); a membership narrowed to a unit grants `Grant.in_unit` in that unit and
every unit below it. Two capabilities come from being an employee rather than from a role
(`by_self`), and a superuser holds a few everywhere. Code asks `can(user, CAPABILITY, target)` or
`organisations_where(user, CAPABILITY)` and never names a role; docs/access.md is this table in
words, and cxloop/orgs/tests/access_matrix.py is what each role gets from every URL.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from cxloop.orgs.models import Employee, Membership, Organisation, Role, Unit

# Any user Django hands a caller; the lookups below go by `user_id`, which every one of them has.
User = AbstractBaseUser | AnonymousUser


class Capability(StrEnum):
    """Something a user may do or see; GRANTS says which roles give it."""

    VIEW_OWN_SCORES = "view_own_scores"  # my dashboard, my verbatims, my coaching notes
    WORK_OWN_CASES = "work_own_cases"  # the cases assigned to me
    VIEW_TEAM = "view_team"  # a unit's and its employees' dashboards and KPIs
    COACH = "coach"  # write coaching notes to employees one sees
    VIEW_ORGANISATION = "view_organisation"  # dashboards, journeys, topics, drivers, "why asked"
    MANAGE_CASES = (
        "manage_cases"  # see, work and hand over the cases an organisation or unit handles
    )
    # Work the organisation's cases; read partners' cases in its journey types as their agreement allows.
    FOLLOW_JOURNEY_CASES = "follow_journey_cases"
    CONFIGURE_FOLLOWUP = "configure_followup"  # follow-up rules, queues, SLAs, hours, templates
    CONFIGURE_SURVEYS = "configure_surveys"  # survey builder, invitation rules, contact policy
    EDIT_TOPICS = "edit_topics"  # topic taxonomy, tag corrections, classifier training
    IMPORT_EMPLOYEE_SURVEYS = "import_employee_surveys"  # eNPS results upload
    ANALYSE_JOURNEYS = "analyse_journeys"  # process analysis of own and shared journey types
    ANALYSE_EVENT_LOGS = "analyse_event_logs"  # upload, analyse and delete imported event logs
    VIEW_OUTBOX = "view_outbox"  # every message sent on the organisation's behalf
    INTEGRATE = (
        "integrate"  # the API's documentation in the menu; connecting the organisation's systems
    )
    RECEIVE_ESCALATIONS = "receive_escalations"  # the last layer of case escalation
    RECEIVE_TEAM_DIGEST = "receive_team_digest"  # the team part of the daily digest
    MANAGE_STRUCTURE = "manage_structure"  # units and employees, by hand and by HR import
    MANAGE_PEOPLE = "manage_people"  # invite people, their roles, password links, deactivating
    # Journey types, touchpoints, channels, partners and their agreements: in an organisation that
    # leads its chain (owns a journey type; journeys.queries.leads_chain).
    MANAGE_CHAIN = "manage_chain"
    MANAGE_PRIVACY = (
        "manage_privacy"  # customers' access and erasure requests, retention, audit log
    )


@dataclass(frozen=True)
class Grant:
    """Which roles give one capability, and where."""

    in_organisation: frozenset[str] = frozenset()  # roles of a membership without a unit
    in_unit: frozenset[str] = frozenset()  # roles of a membership narrowed to a unit (and below)
    by_self: bool = False  # a user linked to an Employee, about themselves
    superuser: bool = False  # a superuser holds it in every organisation


ADMIN, OWNER, ANALYST = Role.ORG_ADMIN, Role.JOURNEY_OWNER, Role.ANALYST
READERS = frozenset({ADMIN, OWNER, ANALYST})
LEADS = READERS | {Role.TEAM_LEAD}  # a reader role narrowed to a unit acts as that unit's lead

# The one table of access rules. Change a rule here, in docs/access.md and in the matrix test.
GRANTS: dict[Capability, Grant] = {
    Capability.VIEW_OWN_SCORES: Grant(by_self=True),
    Capability.WORK_OWN_CASES: Grant(by_self=True),
    Capability.VIEW_TEAM: Grant(in_organisation=READERS, in_unit=LEADS),
    Capability.COACH: Grant(in_organisation=frozenset({ADMIN}), in_unit=LEADS),
    Capability.VIEW_ORGANISATION: Grant(in_organisation=READERS),
    Capability.MANAGE_CASES: Grant(in_organisation=frozenset({ADMIN}), in_unit=LEADS),
    Capability.FOLLOW_JOURNEY_CASES: Grant(in_organisation=frozenset({OWNER})),
    Capability.CONFIGURE_FOLLOWUP: Grant(in_organisation=frozenset({ADMIN, OWNER})),
    Capability.CONFIGURE_SURVEYS: Grant(in_organisation=frozenset({ADMIN, OWNER})),
    Capability.EDIT_TOPICS: Grant(in_organisation=READERS),
    Capability.IMPORT_EMPLOYEE_SURVEYS: Grant(in_organisation=READERS),
    Capability.ANALYSE_JOURNEYS: Grant(in_organisation=frozenset({ADMIN, OWNER})),
    Capability.ANALYSE_EVENT_LOGS: Grant(in_organisation=READERS),
    Capability.VIEW_OUTBOX: Grant(in_organisation=frozenset({ADMIN}), superuser=True),
    Capability.INTEGRATE: Grant(in_organisation=frozenset({ADMIN}), superuser=True),
    Capability.RECEIVE_ESCALATIONS: Grant(in_organisation=frozenset({ADMIN})),
    Capability.RECEIVE_TEAM_DIGEST: Grant(in_unit=frozenset({Role.TEAM_LEAD})),
    Capability.MANAGE_STRUCTURE: Grant(in_organisation=frozenset({ADMIN})),
    Capability.MANAGE_PEOPLE: Grant(in_organisation=frozenset({ADMIN})),
    Capability.MANAGE_CHAIN: Grant(in_organisation=frozenset({ADMIN})),
    Capability.MANAGE_PRIVACY: Grant(in_organisation=frozenset({Role.PRIVACY_OFFICER, ADMIN})),
}


@dataclass(frozen=True)
class Grants:
    """One user's memberships, read once, asked per capability without further queries."""

    memberships: tuple[tuple[int, str | None, str], ...] = ()  # (organisation id, unit path, role)
    is_superuser: bool = False

    def organisations(self, capability: Capability) -> set[int]:
        """Organisations where the user holds the capability throughout."""
        roles = GRANTS[capability].in_organisation
        return {org for org, path, role in self.memberships if path is None and role in roles}

    def unit_paths(self, capability: Capability) -> list[str]:
        """Paths of the units (each with everything below it) where a unit membership grants it."""
        roles = GRANTS[capability].in_unit
        return [path for _, path, role in self.memberships if path is not None and role in roles]

    def member_of(self) -> set[int]:
        """Organisations where the user has any role at all."""
        return {org for org, _, _ in self.memberships}

    def everywhere(self, capability: Capability) -> bool:
        return self.is_superuser and GRANTS[capability].superuser

    def reaches(self, capability: Capability, target: Organisation | Unit) -> bool:
        """Whether the user holds the capability in this organisation, or in this unit."""
        if self.everywhere(capability):
            return True
        if isinstance(target, Unit):
            return target.organisation_id in self.organisations(capability) or any(
                target.path.startswith(path) for path in self.unit_paths(capability)
            )
        return target.pk in self.organisations(capability)

    def anywhere(self, capability: Capability) -> bool:
        """Whether the user holds the capability in at least one organisation or unit."""
        return (
            self.everywhere(capability)
            or bool(self.organisations(capability))
            or bool(self.unit_paths(capability))
        )


def grants_for(user: User) -> Grants:
    """Read a user's memberships (one query); nothing for an anonymous user."""
    if not user.is_authenticated:
        return Grants()
    rows = Membership.objects.filter(user_id=user.pk).select_related("unit")
    return Grants(
        memberships=tuple(
            (m.organisation_id, m.unit.path if m.unit else None, m.role) for m in rows
        ),
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )


def can(user: User, capability: Capability, target: Organisation | Unit | None = None) -> bool:
    """Whether the user holds the capability in the organisation or unit (None: anywhere)."""
    if not user.is_authenticated:
        return False
    grant = GRANTS[capability]
    if grant.by_self:
        employees = Employee.objects.filter(user_id=user.pk)
        if isinstance(target, Organisation):
            employees = employees.filter(organisation=target)
        elif isinstance(target, Unit):
            employees = employees.filter(unit__path__startswith=target.path)
        return employees.exists()
    if isinstance(target, Organisation) and not grant.in_unit and not grant.superuser:
        # The common question on an organisation's page, answered by one EXISTS.
        return Membership.objects.filter(
            user_id=user.pk, organisation=target, unit__isnull=True, role__in=grant.in_organisation
        ).exists()
    grants = grants_for(user)
    return grants.anywhere(capability) if target is None else grants.reaches(capability, target)


def organisations_where(user: User, capability: Capability) -> QuerySet[Organisation]:
    """The organisations where the user holds the capability throughout, by name (lazy, one query)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if GRANTS[capability].superuser and getattr(user, "is_superuser", False):
        return Organisation.objects.order_by("name")
    memberships = Membership.objects.filter(
        user_id=user.pk, unit__isnull=True, role__in=GRANTS[capability].in_organisation
    )
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id")).order_by(
        "name"
    )


def organisation_ids_where(user: User, capability: Capability) -> set[int]:
    """The ids of organisations_where, as a set (one query)."""
    return set(organisations_where(user, capability).values_list("pk", flat=True))


def everywhere(user: User, capability: Capability) -> bool:
    """Whether the user holds the capability in every organisation (a superuser, where the table says so)."""
    return (
        user.is_authenticated
        and bool(getattr(user, "is_superuser", False))
        and GRANTS[capability].superuser
    )


def holders(capability: Capability, organisation: Organisation) -> QuerySet:
    """The users who hold the capability throughout the organisation (for notifications)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__unit__isnull=True,
            memberships__role__in=GRANTS[capability].in_organisation,
        )
        .distinct()
    )


def roles_granting(capability: Capability, *, in_unit: bool = False) -> frozenset[str]:
    """The roles that grant the capability (organisation-wide, or in a unit): for queries over many users."""
    grant = GRANTS[capability]
    return grant.in_unit if in_unit else grant.in_organisation


# Roles whose holders must log in with a second factor (TOTP): they can change who sees what and
# read or erase every customer's data. Platform staff (the admin site) must too.
TWO_FACTOR_ROLES = frozenset({Role.ORG_ADMIN, Role.PRIVACY_OFFICER})


def must_use_two_factor(user: User) -> bool:
    """Whether `user` may only work after a second factor; everyone else may choose to use one."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user_id=user.pk, role__in=TWO_FACTOR_ROLES).exists()
