"""Writes the demo plan into the database: reference rows through the services, volume in bulk.

Every contact carries the chain planner's decision with its reason (`InvitationDecision`), as
`coordination.decide` reached it in the plan; invited contacts get their invitation at the send
time the rule gives (`planning.send_time`: quiet hours included), so the Customers page shows
why each customer was or was not asked and no journey has more than one request.

The few reference rows (chain, units, people, roles, published surveys, API keys) go through
the services so that paths, memberships, versions and hashes are right. Journeys,
interactions, invitations, responses and answers are written with `executemany`
(`demo.bulk`) and ids handed out here: at a million answers the ORM's per-row SQL
compilation is most of the time, and `plan_invitations` decides live interactions at the
current time while a six-month history needs each decision at its own moment. So they bypass `record_interactions` and
`record_response`, but not their rules: the decisions above, and every attribution copied as
`record_response` copies it (the tests check both). A demo sends no invitations. Afterwards the
dashboards' roll-ups are rebuilt and recent detractors get their cases (`demo.cases`).
"""

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from itertools import count
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation

from cxloop.customers.models import Customer
from cxloop.dashboards import rollups
from cxloop.demo import content
from cxloop.demo.bulk import chunks, first_free_id, insert_rows, reset_sequences, roomy_cache
from cxloop.demo.cases import open_demo_cases
from cxloop.demo.content import JourneySpec
from cxloop.demo.plan import (
    ORGS,
    OWNER,
    Plan,
    PlannedCustomer,
    PlannedEmployee,
    PlannedInteraction,
    PlannedJourney,
    PlannedResponse,
    plan_demo,
)
from cxloop.followup.services import DETRACTOR_MAX
from cxloop.journeys.models import (
    Channel,
    DataSharingAgreement,
    Interaction,
    Journey,
    JourneyType,
    Touchpoint,
)
from cxloop.orgs.access import scope_for
from cxloop.orgs.models import Chain, Employee, Organisation, Role, Unit
from cxloop.orgs.services import (
    create_api_key,
    create_employee,
    create_unit,
    grant_role,
    set_unit_lead,
)
from cxloop.responses.models import Answer, Response
from cxloop.surveys.authoring import add_question, create_survey, publish_survey
from cxloop.surveys.models import (
    Invitation,
    InvitationDecision,
    InvitationRule,
    Question,
    Survey,
)
from cxloop.surveys.planning import send_time

CASE_WINDOW_DAYS = 28
JOURNEY_CHUNK = 2000  # journeys per round of inserts: memory stays flat at any volume
PROGRESS_EVERY = 50_000

# The columns the writer fills, per table, in the order of its row tuples; the rest get their defaults.
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Journey: ("id", "chain", "journey_type", "customer", "external_id", "started_at", "ended_at"),
    Interaction: (
        "id",
        "organisation",
        "external_id",
        "journey",
        "customer",
        "occurred_at",
        "channel",
        "touchpoint",
        "unit",
        "employee",
        "wait_seconds",
    ),
    Invitation: (
        "id",
        "organisation",
        "survey",
        "customer",
        "journey",
        "interaction",
        "rule",
        "channel",
        "status",
        "send_after",
        "sent_at",
        "expires_at",
        "answered_at",
    ),
    InvitationDecision: (
        "chain",
        "customer",
        "organisation",
        "interaction",
        "journey",
        "rule",
        "invitation",
        "outcome",
        "reason",
        "detail",
        "decided_at",
    ),
    Response: (
        "id",
        "invitation",
        "survey",
        "customer",
        "organisation",
        "interaction",
        "journey",
        "journey_type",
        "unit",
        "unit_path",
        "employee",
        "channel",
        "touchpoint",
        "language",
        "nps",
        "csat",
        "ces",
        "comment",
        "started_at",
        "submitted_at",
    ),
    Answer: (
        "response",
        "question",
        "number",
        "text",
        "interaction",
        "organisation",
        "unit",
        "employee",
    ),
}
CUSTOMER_COLUMNS = ("id", "chain", "key", "email", "phone", "language", "segment")
JOURNEY_SPECS = {spec.slug: spec for spec in content.JOURNEYS}


class DemoError(Exception):
    """The demo cannot be built in this database."""


@dataclass
class DemoResult:
    """What was built: the chain, each organisation's raw API key (shown once) and row counts."""

    chain: Chain
    api_keys: dict[str, str]
    counts: dict[str, int]


@dataclass
class _Refs:
    """The reference rows the bulk writes point at, by their slugs and codes."""

    chain: Chain
    organisations: dict[str, Organisation] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    journey_types: dict[str, JourneyType] = field(default_factory=dict)
    touchpoints: dict[tuple[str, str], Touchpoint] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    employees: dict[tuple[str, str], Employee] = field(default_factory=dict)
    surveys: dict[str, "_DemoSurvey"] = field(default_factory=dict)
    customer_ids: list[int] = field(default_factory=list)


class _DemoSurvey(NamedTuple):
    """An organisation's published survey, its questions and the rule that sends it."""

    survey: Survey
    nps: Question
    csat: Question
    ces: Question
    reason: Question
    rule: InvitationRule


class _Clock:
    """Turns the plan's (days ago, second of the local day) into aware datetimes."""

    def __init__(self, now: datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.zone = timezone.get_current_timezone()
        self._midnights: dict[int, datetime] = {}

    def at(self, days_ago: int, second: int) -> datetime:
        if days_ago not in self._midnights:
            day = self.today - timedelta(days=days_ago)
            self._midnights[days_ago] = datetime.combine(day, time(), tzinfo=self.zone)
        return self._midnights[days_ago] + timedelta(seconds=second)


def demo_exists() -> bool:
    """Whether this database holds the demo chain already."""
    return Chain.objects.filter(slug=content.CHAIN_SLUG).exists()


def planned_usernames(plan: Plan) -> list[str]:
    """Every login the demo creates."""
    return [s.username for s in content.DEMO_STAFF] + [
        e.username for e in plan.employees if e.username
    ]


def _check_free(plan: Plan) -> None:
    """Refuse to build over existing rows with the demo's slugs or usernames."""
    if demo_exists():
        raise DemoError(f"the demo chain {content.CHAIN_SLUG!r} exists already")
    taken = list(Organisation.objects.filter(slug__in=ORGS).values_list("slug", flat=True))
    taken += (
        get_user_model()
        .objects.filter(username__in=planned_usernames(plan))
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoError(f"these organisations or users exist already: {', '.join(sorted(taken))}")


@transaction.atomic
def build_demo(
    *,
    seed: int = 42,
    responses: int = 5000,
    password: str = content.DEFAULT_PASSWORD,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the demo chain with about `responses` answers; all or nothing."""
    plan = plan_demo(seed=seed, responses=responses)
    _check_free(plan)
    clock = _Clock(now or timezone.now())
    refs = _create_chain()
    _create_people(plan, refs, password)
    _create_surveys(refs)
    writer = _Writer(refs, clock)
    with roomy_cache():
        refs.customer_ids = _insert_customers(plan.customers, refs.chain, clock.now)
        writer.write(plan.journeys, progress)
    reset_sequences([Customer, *COLUMNS])
    rollups.rebuild()  # the dashboards read daily roll-ups, not the responses
    writer.counts["cases"] = open_demo_cases(
        candidates=writer.case_candidates,
        organisations=refs.organisations,
        units={unit.pk: unit for unit in refs.units.values()},
        now=clock.now,
        rng=random.Random(seed + 1),
    )
    keys = {
        slug: create_api_key(organisation=org, name="demo")[1]
        for slug, org in refs.organisations.items()
    }
    counts = {
        "customers": len(refs.customer_ids),
        "employees": len(plan.employees),
        **writer.counts,
    }
    return DemoResult(refs.chain, keys, counts)


def _create_chain() -> _Refs:
    """The chain, its organisations, channels, journey types, touchpoints and sharing agreements."""
    refs = _Refs(Chain.objects.create(name=content.CHAIN_NAME, slug=content.CHAIN_SLUG))
    for spec in content.ORGANISATIONS:
        refs.organisations[spec.slug] = Organisation.objects.create(
            chain=refs.chain,
            name=spec.name,
            slug=spec.slug,
            sender_email=spec.sender_email,
            reply_to_email=spec.reply_to_email,
        )
    for slug, name in content.CHANNELS:
        refs.channels[slug] = Channel.objects.create(chain=refs.chain, name=name, slug=slug)
    for journey in content.JOURNEYS:
        _create_journey_type(journey, refs)
    return refs


def _create_journey_type(spec: JourneySpec, refs: _Refs) -> None:
    """A journey type owned by the owner organisation, with a touchpoint per step and partner agreements."""
    journey_type = JourneyType.objects.create(
        chain=refs.chain, owner=refs.organisations[OWNER], name=spec.name, slug=spec.slug
    )
    refs.journey_types[spec.slug] = journey_type
    for position, step in enumerate(spec.steps, start=1):
        refs.touchpoints[(spec.slug, step.touchpoint)] = Touchpoint.objects.create(
            journey_type=journey_type, name=step.name, slug=step.touchpoint, position=position
        )
    partners = dict.fromkeys(step.organisation for step in spec.steps if step.organisation != OWNER)
    for slug in partners:
        visibility = ORGS[slug].visibility
        if visibility is None:  # never: only the owner has none, and it is no partner
            continue
        DataSharingAgreement.objects.create(
            journey_type=journey_type, organisation=refs.organisations[slug], visibility=visibility
        )


def _create_people(plan: Plan, refs: _Refs, password: str) -> None:
    """Units through create_unit (it sets the path), employees, leads with their role, and the demo logins."""
    for spec in content.UNITS:
        parent = refs.units[(spec.organisation, spec.parent)] if spec.parent else None
        refs.units[(spec.organisation, spec.slug)] = create_unit(
            organisation=refs.organisations[spec.organisation],
            name=spec.name,
            slug=spec.slug,
            parent=parent,
            kind=spec.kind,
        )
    for planned in plan.employees:
        _create_employee(planned, refs)
    for staff in content.DEMO_STAFF:
        _create_staff_user(staff, refs)
    get_user_model().objects.create_superuser(
        username=content.DEMO_PLATFORM_USERNAME, email="platform@example.nl", password=None
    )
    # One hash for all demo logins: hashing per user would cost seconds for nothing.
    get_user_model().objects.filter(username__in=content.DEMO_USERNAMES).update(
        password=make_password(password)
    )


def _create_employee(planned: PlannedEmployee, refs: _Refs) -> None:
    """An employee; a lead also leads the unit and gets the team-lead role on it."""
    organisation = refs.organisations[planned.organisation]
    unit = refs.units[(planned.organisation, planned.unit)]
    employee = create_employee(
        organisation=organisation,
        unit=unit,
        code=planned.code,
        name=planned.name,
        email=planned.email,
        username=planned.username,
    )
    refs.employees[(planned.organisation, planned.code)] = employee
    if planned.is_lead:
        set_unit_lead(unit=unit, lead=employee)
        if employee.user is not None:  # always: leads log in (plan._username)
            grant_role(
                user=employee.user, organisation=organisation, role=Role.TEAM_LEAD, unit=unit
            )


def _create_staff_user(spec: content.DemoUserSpec, refs: _Refs) -> None:
    """A demo login that is not an employee: an admin, journey owner, analyst or privacy officer.

    None of them is a platform superuser: an organisation's admin sees their own organisation only.
    """
    organisation = refs.organisations[spec.organisation]
    email = f"{spec.username}@{ORGS[spec.organisation].domain}"
    user = get_user_model().objects.create_user(username=spec.username, email=email, password=None)
    grant_role(user=user, organisation=organisation, role=spec.role)


def _create_surveys(refs: _Refs) -> None:
    """Per organisation a published survey (NPS, CSAT, CES and the reason) and a rule that sends it after every contact."""
    for slug, organisation in refs.organisations.items():
        brand = ORGS[slug].brand
        survey = create_survey(
            organisation=organisation,
            name=f"Na contact — {organisation.name}",
            intro_nl=f"U had onlangs contact met {brand}. Vier korte vragen.",
            intro_en=f"You were recently in touch with {brand}. Four short questions.",
        )

        def ask(
            kind: str,
            key: str,
            *,
            required: bool = False,
            survey: Survey = survey,
            brand: str = brand,
        ) -> Question:
            text_nl, text_en = content.SURVEY_QUESTIONS[key]
            return add_question(
                survey=survey,
                kind=kind,
                required=required,
                text_nl=text_nl.format(brand=brand),
                text_en=text_en.format(brand=brand),
            )

        nps = ask(Question.Kind.NPS, "nps", required=True)
        csat = ask(Question.Kind.CSAT, "csat")
        ces = ask(Question.Kind.CES, "ces")
        reason = ask(Question.Kind.OPEN, "open")
        survey = publish_survey(survey=survey)
        # A plain row: the rules app only saves rules through its form.
        rule = InvitationRule.objects.create(
            organisation=organisation, survey=survey, delay_minutes=0
        )
        refs.surveys[slug] = _DemoSurvey(survey, nps, csat, ces, reason, rule)


def _insert_customers(customers: list[PlannedCustomer], chain: Chain, now: datetime) -> list[int]:
    """The customers in batches; returns their ids in plan order."""
    first = first_free_id(Customer)
    rows = [
        (first + i, chain.pk, c.key, c.email, c.phone, c.language, c.segment)
        for i, c in enumerate(customers)
    ]
    for chunk in chunks(rows, 10_000):
        insert_rows(Customer, CUSTOMER_COLUMNS, chunk, now=now)
    return [row[0] for row in rows]


class _Contact(NamedTuple):
    """An interaction being written, with what its invitation and response copy from it."""

    id: int
    at: datetime
    journey_id: int
    journey_type_id: int
    customer_id: int
    organisation_id: int
    unit: Unit
    employee_id: int
    channel_id: int
    touchpoint_id: int


class _Occurred(NamedTuple):
    """What `send_time` reads of an interaction."""

    occurred_at: datetime


class _Writer:
    """Turns planned journeys into row tuples with ids handed out here, and inserts them per chunk."""

    def __init__(self, refs: _Refs, clock: _Clock):
        self.refs, self.clock = refs, clock
        self.ids = {
            model: count(first_free_id(model))
            for model in (Journey, Interaction, Invitation, Response)
        }
        self.rows: dict[type[models.Model], list[tuple]] = {model: [] for model in COLUMNS}
        self.send_after: dict[int, datetime] = {}  # per invitation id, for its decision's detail
        self.counts: dict[str, int] = {}
        # (submitted_at, response id, organisation id, unit id, nps) of recent detractors.
        self.case_candidates: list[tuple[datetime, int, int, int, int]] = []
        self.case_window = clock.now - timedelta(days=CASE_WINDOW_DAYS)

    def write(
        self, journeys: Iterable[PlannedJourney], progress: Callable[[str], None] | None
    ) -> None:
        """Write every journey, a chunk at a time, reporting progress now and then."""
        reported = 0
        for chunk in chunks(journeys, JOURNEY_CHUNK):
            for planned in chunk:
                self._journey(planned)
            self._flush()
            answered = self.counts.get("responses", 0)
            if progress is not None and answered - reported >= PROGRESS_EVERY:
                progress(f"… {answered:,} responses")
                reported = answered

    def _flush(self) -> None:
        for model, names in COLUMNS.items():
            written = insert_rows(model, names, self.rows[model], now=self.clock.now)
            with translation.override(
                "en"
            ):  # stable keys ("responses"), whatever language the command runs in
                name = str(model._meta.verbose_name_plural)
            self.counts[name] = self.counts.get(name, 0) + written
            self.rows[model].clear()
        self.send_after.clear()

    def _journey(self, planned: PlannedJourney) -> None:
        """A journey with its contacts that already happened; later ones are left out."""
        happened = [
            (contact, self.clock.at(contact.days_ago, contact.second))
            for contact in planned.interactions
        ]
        happened = [(contact, at) for contact, at in happened if at <= self.clock.now]
        if not happened:
            return
        journey_id, journey_type = (
            next(self.ids[Journey]),
            self.refs.journey_types[planned.journey_type],
        )
        customer_id = self.refs.customer_ids[planned.customer]
        ended = (
            happened[-1][1]
            if planned.complete and len(happened) == len(planned.interactions)
            else None
        )
        external_id = f"{JOURNEY_SPECS[planned.journey_type].prefix}-{planned.number:07d}"
        self.rows[Journey].append(
            (
                journey_id,
                self.refs.chain.pk,
                journey_type.pk,
                customer_id,
                external_id,
                happened[0][1],
                ended,
            )
        )
        for index, (contact, at) in enumerate(happened, start=1):
            self._interaction(
                contact, at, journey_id, journey_type, customer_id, f"{planned.number:07d}-{index}"
            )

    def _interaction(
        self,
        planned: PlannedInteraction,
        at: datetime,
        journey_id: int,
        journey_type: JourneyType,
        customer_id: int,
        number: str,
    ) -> None:
        """One contact, attributed to the employee's own unit; invited when the plan sampled it."""
        employee = self.refs.employees[(planned.organisation, planned.employee)]
        contact = _Contact(
            next(self.ids[Interaction]),
            at,
            journey_id,
            journey_type.pk,
            customer_id,
            employee.organisation_id,
            self.refs.units[(planned.organisation, planned.unit)],
            employee.pk,
            self.refs.channels[planned.channel].pk,
            self.refs.touchpoints[(journey_type.slug, planned.touchpoint)].pk,
        )
        self.rows[Interaction].append(
            (
                contact.id,
                contact.organisation_id,
                f"{ORGS[planned.organisation].prefix}-{number}",
                journey_id,
                customer_id,
                at,
                contact.channel_id,
                contact.touchpoint_id,
                contact.unit.pk,
                contact.employee_id,
                planned.wait_seconds,
            )
        )
        invitation_id = self._invitation(planned, contact) if planned.invited else None
        self._decision(planned, contact, invitation_id)

    def _decision(
        self, planned: PlannedInteraction, contact: _Contact, invitation_id: int | None
    ) -> None:
        """The planner's decision for the contact, as plan_invitations stores it."""
        rule = self.refs.surveys[planned.organisation].rule
        detail = planned.decision_detail
        if planned.quarantine_since is not None:
            last = self.clock.at(*planned.quarantine_since).astimezone(UTC)
            detail = f"last invitation {last:%Y-%m-%d %H:%M} UTC"
        elif invitation_id is not None:
            send_after = self.send_after[invitation_id]
            detail = f"{rule.channel} at {send_after.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        outcome = (
            InvitationDecision.Outcome.INVITED
            if planned.invited
            else InvitationDecision.Outcome.NOT_INVITED
        )
        self.rows[InvitationDecision].append(
            (
                self.refs.chain.pk,
                contact.customer_id,
                contact.organisation_id,
                contact.id,
                contact.journey_id,
                rule.pk,
                invitation_id,
                outcome,
                planned.decision,
                detail[:300],
                contact.at,
            )
        )

    def _invitation(self, planned: PlannedInteraction, contact: _Contact) -> int:
        """An invitation: answered, still open, expired by now, or waiting for the quiet hours to end."""
        survey, rule = (
            self.refs.surveys[planned.organisation].survey,
            self.refs.surveys[planned.organisation].rule,
        )
        # The send time the planner gives: the rule's delay, then out of the quiet hours.
        send_after = send_time(
            rule,
            # send_time reads only occurred_at; a model instance per row would slow the bulk load.
            interaction=_Occurred(contact.at),  # type: ignore[arg-type]
            channel=rule.channel,
            now=contact.at,
        )
        expires_at = send_after + timedelta(days=rule.valid_days)
        sent = min(send_after + timedelta(seconds=planned.sent_seconds), self.clock.now)
        sent_at: datetime | None = sent
        answer = planned.response
        answered_at: datetime | None = None
        if send_after > self.clock.now:  # the worker sends it when the quiet hours end
            sent_at, answer, status = None, None, Invitation.Status.SCHEDULED
        else:
            if answer is not None:
                answered_at = sent + timedelta(seconds=answer.answer_seconds - planned.sent_seconds)
                if answered_at > self.clock.now:
                    answered_at = None  # the customer will answer, but not yet
            status = Invitation.Status.ANSWERED if answered_at else Invitation.Status.SENT
            if answered_at is None and expires_at <= self.clock.now:
                status = Invitation.Status.EXPIRED
        invitation_id = next(self.ids[Invitation])
        self.send_after[invitation_id] = send_after
        self.rows[Invitation].append(
            (
                invitation_id,
                contact.organisation_id,
                survey.pk,
                contact.customer_id,
                contact.journey_id,
                contact.id,
                rule.pk,
                rule.channel,
                status,
                send_after,
                sent_at,
                expires_at,
                answered_at,
            )
        )
        if answer is not None and answered_at is not None:
            self._response(answer, contact, invitation_id, answered_at, planned.organisation)
        return invitation_id

    def _response(
        self,
        answer: PlannedResponse,
        contact: _Contact,
        invitation_id: int,
        answered_at: datetime,
        organisation: str,
    ) -> None:
        """A response with all attribution copied from the interaction, and its answers."""
        asked = self.refs.surveys[organisation]
        response_id = next(self.ids[Response])
        self.rows[Response].append(
            (
                response_id,
                invitation_id,
                asked.survey.pk,
                contact.customer_id,
                contact.organisation_id,
                contact.id,
                contact.journey_id,
                contact.journey_type_id,
                contact.unit.pk,
                contact.unit.path,
                contact.employee_id,
                contact.channel_id,
                contact.touchpoint_id,
                answer.language,
                answer.nps,
                answer.csat,
                answer.ces,
                answer.comment,
                answered_at - timedelta(seconds=answer.duration_seconds),
                answered_at,
            )
        )
        # Both answers are about the response's own interaction (no touchpoint questions here).
        about = (contact.id, contact.organisation_id, contact.unit.pk, contact.employee_id)
        for question, number in (
            (asked.nps, answer.nps),
            (asked.csat, answer.csat),
            (asked.ces, answer.ces),
        ):
            if number is not None:
                self.rows[Answer].append((response_id, question.pk, number, "", *about))
        if answer.comment:
            self.rows[Answer].append((response_id, asked.reason.pk, None, answer.comment, *about))
        if answer.nps <= DETRACTOR_MAX and answered_at >= self.case_window:
            self.case_candidates.append(
                (answered_at, response_id, contact.organisation_id, contact.unit.pk, answer.nps)
            )


# --- What to tell the person who ran the demo -------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """A demo login: the role it plays, its username and the page it opens on."""

    role: str
    username: str
    sees: str


def demo_logins() -> list[DemoLogin]:
    """The demo's logins as they are in the database now, with where each one lands."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=content.DEMO_USERNAMES)
    }
    logins = []
    for spec in content.DEMO_STAFF:
        if spec.username in users:
            role = f"{spec.label}, {ORGS[spec.organisation].name}"
            logins.append(DemoLogin(role, spec.username, _landing(users[spec.username])))
    for username, label in (
        (content.DEMO_LEAD_USERNAME, "team lead"),
        (content.DEMO_AGENT_USERNAME, "employee"),
    ):
        employee = Employee.objects.select_related("unit").filter(user__username=username).first()
        if employee is not None:
            role = f"{label}, {employee.name} ({employee.unit.name})"
            logins.append(DemoLogin(role, username, _landing(users[username])))
    platform = users.get(content.DEMO_PLATFORM_USERNAME)
    if platform is not None:
        logins.append(DemoLogin("platform admin", platform.username, "/admin/"))
    return logins


def _landing(user: AbstractBaseUser) -> str:
    """The page the home view sends this user to, as the home view decides it."""
    scope = scope_for(user)
    if scope.organisations:
        slug = (
            Organisation.objects.filter(pk__in=scope.organisations)
            .order_by("name")
            .values_list("slug", flat=True)[0]
        )
        sees = reverse("organisation_dashboard", kwargs={"slug": slug})
    elif scope.led_unit_paths:
        unit = Unit.objects.get(path=sorted(scope.led_unit_paths)[0])
        sees = reverse("unit_dashboard", kwargs={"pk": unit.pk})
    elif scope.employee is not None:
        sees = reverse("my_dashboard")
    else:
        sees = "no dashboard for this role yet"
    return sees
