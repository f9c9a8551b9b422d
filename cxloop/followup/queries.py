"""Reads of follow-up cases, scoped to what a user may work on or look at.

Who works a case: its assignee; the admins of the organisation that handles it (the one whose
contact the feedback is about, services.handled_by); the leads of its unit and the units above;
the journey owners of that organisation. Who only reads it: the journey owners of the journey
type it belongs to, when a partner handles it and that partner's data-sharing agreement for the
journey type lets the owner see its cases (the chain view of a "klanteigenaar"). Analysts see
KPIs, not cases.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Least
from django.http import Http404
from django.utils import timezone

from cxloop.followup import kpis, sla
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpCase,
    FollowUpQueue,
    FollowUpSettings,
)
from cxloop.journeys.models import DataSharingAgreement, Interaction
from cxloop.orgs.access import Scope, scope_for
from cxloop.orgs.capabilities import Capability, organisations_where

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response

Status = FollowUpCase.Status
OPEN_STATUSES = [Status.NEW, Status.CONTACTED, Status.IN_PROGRESS, Status.WAITING]
# The SLA clock runs in these; a case waiting for the customer is paused, a resolved one is done.
RUNNING_STATUSES = [Status.NEW, Status.CONTACTED, Status.IN_PROGRESS]
TABS = ("mine", "team", "overdue", "open", "closed", "all")
# The inbox's sort keys (?sort=), each with its reverse ("-due"); "due" (most urgent first) is
# the default. "opened" is newest first, that is youngest age first.
SORT_ORDERS = {
    "due": ("next_due", "pk"),
    "opened": ("-opened_at", "-pk"),
    "customer": ("response__customer__key", "next_due", "pk"),
}
SORTS = tuple(key for name in SORT_ORDERS for key in (name, f"-{name}"))
DETRACTOR_MAX = 6


class CaseFlags(TypedDict):
    """What visible_cases adds to each case."""

    workable: bool  # False for a partner's case the journey owner only reads
    first_contact_overdue: bool
    resolution_overdue: bool
    next_due: datetime | None  # the due time that matters now


if TYPE_CHECKING:
    VisibleCase = WithAnnotations[FollowUpCase, CaseFlags]


@dataclass
class CaseScope:
    """A user's scope plus what the follow-up pages need beyond it."""

    user: AbstractBaseUser | AnonymousUser
    scope: Scope
    journey_owner_of: set[int] = field(default_factory=set)
    own_organisations: set[int] = field(default_factory=set)  # any membership, or employed there


def case_scope_for(user: AbstractBaseUser | AnonymousUser) -> CaseScope:
    """Read a user's scope, journey ownerships and own organisations."""
    scope = scope_for(user)
    result = CaseScope(user=user, scope=scope)
    result.journey_owner_of = scope.grants.organisations(Capability.FOLLOW_JOURNEY_CASES)
    result.own_organisations = scope.grants.member_of()
    if scope.employee is not None:
        result.own_organisations.add(scope.employee.organisation_id)
    return result


def _workable(cs: CaseScope) -> Q:
    """The cases the user works: assigned to them, or in an organisation or unit where they manage or follow cases."""
    workable = Q(assignee__user=cs.user) if cs.user.is_authenticated else Q(pk__in=[])
    if managed := cs.scope.grants.organisations(Capability.MANAGE_CASES):
        workable |= Q(organisation_id__in=managed)
    for path in cs.scope.grants.unit_paths(Capability.MANAGE_CASES):
        workable |= Q(unit__path__startswith=path)
    if cs.journey_owner_of:
        workable |= Q(organisation_id__in=cs.journey_owner_of)
    return workable


def _shared_with_owner() -> Exists:
    """The partner handling the case lets the journey type's owner read its cases (DataSharingAgreement)."""
    return Exists(
        DataSharingAgreement.objects.filter(
            journey_type_id=OuterRef("response__journey_type_id"),
            organisation_id=OuterRef("organisation_id"),
            owner_case_access=DataSharingAgreement.CaseAccess.READ,
        )
    )


def _visible(cs: CaseScope) -> Q:
    visible = _workable(cs)
    if cs.journey_owner_of:
        visible |= Q(_shared_with_owner(), response__journey_type__owner_id__in=cs.journey_owner_of)
    return visible


def _in_led_units(cs: CaseScope) -> Q:
    team = Q(pk__in=[])
    for path in cs.scope.led_unit_paths:
        team |= Q(unit__path__startswith=path)
    return team


def visible_cases(cs: CaseScope, *, now: datetime | None = None) -> "QuerySet[VisibleCase]":
    """Every case the user may see, whether they may work it, its overdue flags and the due time that matters now."""
    now = now or timezone.now()
    running = Q(status__in=RUNNING_STATUSES)
    waiting_for_contact = Q(first_contact_at__isnull=True, first_contact_due_at__isnull=False)
    return (
        FollowUpCase.objects.filter(_visible(cs))
        .select_related(
            "assignee",
            "unit",
            "organisation",
            "response__customer",
            "response__channel",
            "response__employee",
            "response__journey_type",
        )
        .annotate(
            # False for a partner's case the journey owner only reads (see the module's docstring).
            workable=ExpressionWrapper(_workable(cs), output_field=BooleanField()),
            first_contact_overdue=ExpressionWrapper(
                running & waiting_for_contact & Q(first_contact_due_at__lt=now),
                output_field=BooleanField(),
            ),
            resolution_overdue=ExpressionWrapper(
                running & Q(due_at__lt=now), output_field=BooleanField()
            ),
            next_due=Case(
                When(waiting_for_contact, then=Least("first_contact_due_at", "due_at")),
                default=F("due_at"),
            ),
        )
    )


@dataclass(frozen=True)
class InboxFilters:
    """The inbox's filters from the URL; empty means "any"."""

    status: str = ""
    priority: str = ""
    unit_id: int | None = None
    assignee_id: int | None = None
    journey_type_id: int | None = None
    organisation_id: int | None = None
    sort: str = "due"


def _tab(cases: "QuerySet[VisibleCase]", cs: CaseScope, show: str) -> "QuerySet[VisibleCase]":
    not_closed = ~Q(status=Status.CLOSED)
    if show == "mine":
        mine = Q(assignee__user=cs.user) if cs.user.is_authenticated else Q(pk__in=[])
        return cases.filter(not_closed, mine)
    if show == "team":
        return cases.filter(not_closed, _in_led_units(cs))
    if show == "overdue":
        return cases.filter(Q(first_contact_overdue=True) | Q(resolution_overdue=True))
    if show == "closed":
        return cases.filter(status=Status.CLOSED)
    if show == "all":
        return cases
    return cases.filter(not_closed)


def _filter(cases: "QuerySet[VisibleCase]", filters: InboxFilters) -> "QuerySet[VisibleCase]":
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.unit_id is not None:
        path = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
        cases = cases.filter(unit__path__startswith=path) if path else cases.none()
    if filters.assignee_id is not None:
        cases = cases.filter(assignee_id=filters.assignee_id)
    if filters.journey_type_id is not None:
        cases = cases.filter(response__journey_type_id=filters.journey_type_id)
    if filters.organisation_id is not None:
        cases = cases.filter(organisation_id=filters.organisation_id)
    return cases


def cases_for(
    *,
    user: AbstractBaseUser | AnonymousUser,
    show: str = "open",
    filters: InboxFilters | None = None,
    case_scope: CaseScope | None = None,
) -> "QuerySet[VisibleCase]":
    """The cases a user may see, in one tab of the inbox and its filters, soonest due (or newest) first."""
    cs = case_scope or case_scope_for(user)
    filters = filters or InboxFilters()
    cases = _filter(_tab(visible_cases(cs), cs, show), filters)
    return cases.order_by(*sort_order(filters.sort))


def sort_order(sort: str) -> tuple[str, ...]:
    """The ORM ordering of a sort key; "-key" reverses every field of it; unknown keys sort by due time."""
    name = sort.removeprefix("-")
    fields = SORT_ORDERS.get(name, SORT_ORDERS["due"])
    if not sort.startswith("-") or name not in SORT_ORDERS:
        return fields
    return tuple(
        field.removeprefix("-") if field.startswith("-") else f"-{field}" for field in fields
    )


def access_case(
    user: AbstractBaseUser | AnonymousUser, pk: int, *, to_work: bool = False
) -> "VisibleCase":
    """A case the user may see (with to_work: may work, not only read), else 404."""
    cs = case_scope_for(user)
    case = cases_for(user=user, show="all", case_scope=cs).filter(pk=pk).first()
    if case is None or (to_work and not case.workable):
        raise Http404
    return case


def workable_cases(cs: CaseScope) -> QuerySet[FollowUpCase]:
    """The open cases the user may work, for handing several over at once."""
    return (
        FollowUpCase.objects.filter(_workable(cs), status__in=OPEN_STATUSES)
        .select_related("assignee", "response__customer")
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class InboxChoices:
    """The values the inbox's filters offer: those of the cases the user may see."""

    units: list[tuple[int, str]]
    assignees: list[tuple[int, str]]
    journey_types: list[tuple[int, str]]
    organisations: list[tuple[int, str]]


def _distinct(
    cases: QuerySet[FollowUpCase], id_field: str, name_field: str
) -> list[tuple[int, str]]:
    rows = cases.filter(**{f"{id_field}__isnull": False}).order_by(name_field, id_field)
    return list(rows.values_list(id_field, name_field).distinct())


def inbox_choices(cs: CaseScope) -> InboxChoices:
    """Units, assignees, journey types and organisations that occur in the user's cases (four queries)."""
    cases = FollowUpCase.objects.filter(_visible(cs))
    return InboxChoices(
        units=_distinct(cases, "unit_id", "unit__name"),
        assignees=_distinct(cases, "assignee_id", "assignee__name"),
        journey_types=_distinct(cases, "response__journey_type_id", "response__journey_type__name"),
        organisations=_distinct(cases, "organisation_id", "organisation__name"),
    )


def assignable_employees(cs: CaseScope) -> QuerySet[Employee]:
    """Employees the user may give a case to: in the units they lead, or in organisations they administer."""
    allowed = Q(pk__in=[])
    for path in cs.scope.grants.unit_paths(Capability.MANAGE_CASES):
        allowed |= Q(unit__path__startswith=path)
    if managed := cs.scope.grants.organisations(Capability.MANAGE_CASES):
        allowed |= Q(organisation_id__in=managed)
    return (
        Employee.objects.filter(allowed)
        .select_related("organisation", "unit")
        .order_by("organisation__name", "name", "pk")
    )


def queues_for(cs: CaseScope, *, case: FollowUpCase) -> QuerySet[FollowUpQueue]:
    """Queues a case may be handed to: its organisation's, and those of organisations the user administers."""
    organisations = {case.organisation_id} | cs.scope.grants.organisations(Capability.MANAGE_CASES)
    return (
        FollowUpQueue.objects.filter(organisation_id__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def message_templates(*, case: FollowUpCase) -> QuerySet[CustomerMessageTemplate]:
    """The customer message templates of the case's organisation."""
    return CustomerMessageTemplate.objects.filter(organisation_id=case.organisation_id).order_by(
        "name", "pk"
    )


# --- the customer around a case -------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyStep:
    """One interaction of the customer's journey, as far as the reader may see it."""

    occurred_at: datetime
    organisation: str
    channel: str
    touchpoint: str
    employee: str  # empty for other organisations' employees
    own: bool
    is_case_interaction: bool


def journey_of(cs: CaseScope, *, case: FollowUpCase) -> list[JourneyStep]:
    """The case's journey across partners in time order; other organisations' employees stay anonymous."""
    response = case.response
    if response.journey_id is None and response.interaction_id is None:
        return []
    where = (
        Q(journey_id=response.journey_id) if response.journey_id else Q(pk=response.interaction_id)
    )
    interactions = (
        Interaction.objects.filter(where)
        .select_related("organisation", "channel", "touchpoint", "employee")
        .order_by("occurred_at", "pk")[:200]
    )
    steps = []
    for interaction in interactions:
        own = interaction.organisation_id in cs.own_organisations
        steps.append(
            JourneyStep(
                occurred_at=interaction.occurred_at,
                organisation=interaction.organisation.name,
                channel=interaction.channel.name,
                touchpoint=interaction.touchpoint.name if interaction.touchpoint else "",
                employee=interaction.employee.name if own and interaction.employee else "",
                own=own,
                is_case_interaction=interaction.pk == response.interaction_id,
            )
        )
    return steps


@dataclass(frozen=True)
class EarlierFeedback:
    """Another response of the customer; the comment only for the reader's own organisations."""

    submitted_at: datetime
    organisation: str
    journey_type: str
    nps: int | None
    comment: str
    own: bool


def _visible_responses(cs: CaseScope) -> Q:
    scope = cs.scope
    visible = Q(organisation_id__in=scope.organisations) | Q(
        journey_type__owner_id__in=cs.journey_owner_of
    )
    for path in scope.led_unit_paths:
        visible |= Q(unit_path__startswith=path)
    if scope.employee is not None:
        visible |= Q(employee_id=scope.employee.pk)
    return visible | Q(pk__in=FollowUpCase.objects.filter(_visible(cs)).values("response_id"))


def earlier_feedback(
    cs: CaseScope, *, case: FollowUpCase, limit: int = 20
) -> list[EarlierFeedback]:
    """The customer's other submitted responses the user may see, newest first."""
    rows = (
        Response.objects.filter(
            _visible_responses(cs),
            customer_id=case.response.customer_id,
            submitted_at__isnull=False,
        )
        .exclude(pk=case.response_id)
        .order_by("-submitted_at", "-pk")
        .values_list(
            "submitted_at",
            "organisation_id",
            "organisation__name",
            "journey_type__name",
            "nps",
            "comment",
        )
    )[:limit]
    return [
        EarlierFeedback(
            submitted,
            name,
            journey_type or "",
            nps,
            comment if org in cs.own_organisations else "",
            org in cs.own_organisations,
        )
        for submitted, org, name, journey_type, nps, comment in rows
        if submitted is not None  # always: the query asks for submitted responses
    ]


def other_open_cases(cs: CaseScope, *, case: FollowUpCase) -> list[FollowUpCase]:
    """The customer's other open cases that the user may see."""
    cases = cases_for(user=cs.user, show="open", case_scope=cs)
    return list(
        cases.filter(response__customer_id=case.response.customer_id).exclude(pk=case.pk)[:20]
    )


# --- KPIs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiScope:
    """A set of cases and responses the KPIs can be computed over: me, a unit, an organisation, a chain."""

    key: str  # "me", "unit-3", "organisation-1", "chain-1"
    kind: str
    name: str
    cases: Q
    responses: Q


def _responses_handled_by(organisation_id: int) -> Q:
    """Responses an organisation closes the loop on: those whose case it handles, and without a case
    those its own follow-up rules judged (a partner's contact in the owner's journey is counted for
    the partner once its case opens there)."""
    return Q(followup_case__organisation_id=organisation_id) | Q(
        followup_case__isnull=True, organisation_id=organisation_id
    )


def kpi_scopes(cs: CaseScope) -> list[KpiScope]:
    """The KPI scopes a user may choose, narrowest first."""
    scopes: list[KpiScope] = []
    employee = cs.scope.employee
    if employee is not None:
        scopes.append(
            KpiScope(
                "me", "me", employee.name, Q(assignee=employee), Q(followup_case__assignee=employee)
            )
        )
    for unit in Unit.objects.filter(path__in=cs.scope.led_unit_paths).order_by("path"):
        scopes.append(
            KpiScope(
                f"unit-{unit.pk}",
                "unit",
                unit.name,
                Q(unit__path__startswith=unit.path),
                Q(unit_path__startswith=unit.path),
            )
        )
    organisations = Organisation.objects.filter(
        pk__in=cs.scope.organisations | cs.journey_owner_of
    ).order_by("name")
    chains = set(
        Organisation.objects.filter(
            pk__in=cs.journey_owner_of, owned_journey_types__isnull=False
        ).values_list("pk", flat=True)
    )
    for organisation in organisations:
        if organisation.pk in cs.scope.organisations:
            scopes.append(
                KpiScope(
                    f"organisation-{organisation.pk}",
                    "organisation",
                    organisation.name,
                    Q(organisation_id=organisation.pk),
                    _responses_handled_by(organisation.pk),
                )
            )
        if organisation.pk in chains:
            scopes.append(
                KpiScope(
                    f"chain-{organisation.pk}",
                    "chain",
                    organisation.name,
                    Q(response__journey_type__owner_id=organisation.pk),
                    Q(journey_type__owner_id=organisation.pk),
                )
            )
    return scopes


def calendars_for(organisation_ids: set[int]) -> dict[int, sla.Calendar]:
    """Each organisation's business-hours calendar, in one query."""
    from cxloop.followup.services import calendar_from

    stored = {
        s.organisation_id: s
        for s in FollowUpSettings.objects.filter(organisation_id__in=organisation_ids)
    }
    return {
        organisation_id: calendar_from(stored.get(organisation_id))
        for organisation_id in organisation_ids
    }


# In the order of kpis.CaseFacts' fields (root_cause__name is its root_cause).
CASE_FACT_FIELDS = (
    "organisation_id",
    "status",
    "opened_at",
    "due_at",
    "first_contact_due_at",
    "first_contact_at",
    "resolved_at",
    "informed_at",
    "closed_reason",
    "reassignments",
    "handovers",
    "root_cause__name",
)


def kpi_facts(
    *, scope: KpiScope, since: datetime
) -> tuple[list[kpis.CaseFacts], list[bool], dict[int, sla.Calendar]]:
    """The facts behind the KPIs: cases opened and detractor responses submitted since a moment (three queries)."""
    rows = (
        FollowUpCase.objects.filter(scope.cases, opened_at__gte=since)
        .order_by("pk")
        .values_list(*CASE_FACT_FIELDS)
    )
    cases = [kpis.CaseFacts(*row) for row in rows]  # CASE_FACT_FIELDS is in CaseFacts' order
    detractors = Response.objects.filter(
        scope.responses, submitted_at__gte=since, nps__isnull=False, nps__lte=DETRACTOR_MAX
    ).values_list("followup_case__first_contact_at", flat=True)
    contacted = [first_contact is not None for first_contact in detractors]
    return cases, contacted, calendars_for({c.organisation_id for c in cases})


# --- editors ---------------------------------------------------------------------------------------


def editable_organisations(*, user: AbstractBaseUser | AnonymousUser) -> list[Organisation]:
    """Organisations whose follow-up settings the user may edit (admin or journey owner)."""
    return list(organisations_where(user, Capability.CONFIGURE_FOLLOWUP))


def access_editable_organisation(user: AbstractBaseUser | AnonymousUser, slug: str) -> Organisation:
    """An organisation whose follow-up settings the user may edit, else 404."""
    organisation = next((o for o in editable_organisations(user=user) if o.slug == slug), None)
    if organisation is None:
        raise Http404
    return organisation
