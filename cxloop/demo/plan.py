"""The demo's plan: people, customers, journeys and answers drawn from one seeded generator.

Pure on purpose (no database, no clock) so that the same seed gives the same scores and
comments on any machine. Times are planned as (days before today, second of the local day)
and become datetimes only when the plan is written (`cxloop.demo.generator`).

Whether a contact leads to an invitation is decided as the chain's planner decides it: by
`surveys.coordination.decide` under the default contact policy (one request per journey,
quarantine, cap), on the customer's invitations planned so far. The plan's own clock for that
is `PLAN_EPOCH` (only differences between moments matter to the rules).

Scores come from a latent mean per contact — organisation, team (and its trend), channel,
journey, channel × journey, touchpoint and employee effects from `content` — plus noise,
rounded to 0–10; comments pick a topic that fits the contact and a tone that fits the score.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from math import log2

from django.utils.text import slugify

from cxloop.demo import content
from cxloop.demo.content import JourneySpec, StepSpec, UnitSpec
from cxloop.surveys import coordination

HISTORY_DAYS = 182
MAX_INTERACTIONS = 5
REPEAT_GAP_DAYS = (0, 3)  # between two tries at the same step
POLICY = coordination.Policy()  # the demo chain keeps the default contact policy
PLAN_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # "today, midnight" on the plan's clock
# One request per journey and 30 days' quarantine: a customer answers about once in six months.
CUSTOMERS_PER_RESPONSE = 2.5
MAX_JOURNEYS_PER_RESPONSE = 50  # a bound on the journeys drawn, whatever the policy leaves
RESPONSE_RATE = 0.40  # of the invitations sent
BASE_SCORE = 7.7
SCORE_SD = 2.0
LONG_WAIT_RATIO = 3  # a wait this many times the acceptable one is what customers write about
FURY_RATE = 0.3  # real NPS data has a bump at 0–2: the angry customer gives the lowest mark
COMMENT_RATE = {"neg": 0.75, "mixed": 0.5, "pos": 0.55}
ENGLISH_SHARE = 0.15
SKIP_RATE = 0.08  # of the optional CSAT and CES questions
TOPIC_TRIES = 5  # draws of a topic with a sentence that fits the contact, before leaving no comment
STAR_UNITS = ("team-noord", "team-dag", "plaatwerk")  # their first agent is a star
STAR_EFFECT = 1.3

ORGS = {spec.slug: spec for spec in content.ORGANISATIONS}
OWNER = next(spec.slug for spec in content.ORGANISATIONS if spec.visibility is None)
UNITS = {(spec.organisation, spec.slug): spec for spec in content.UNITS}
TOPICS = tuple(content.TOPIC_BASE)


@dataclass(frozen=True, slots=True)
class PlannedEmployee:
    organisation: str
    unit: str
    code: str
    name: str
    first_name: str
    email: str
    is_lead: bool
    username: str | None
    effect: float
    weight: float


@dataclass(frozen=True, slots=True)
class PlannedCustomer:
    key: str
    email: str
    phone: str
    language: str
    segment: str


@dataclass(frozen=True, slots=True)
class PlannedResponse:
    nps: int
    csat: int | None  # 1–5, None when the customer skipped the question
    ces: int | None  # 1–7, 7 = very easy
    comment: str
    language: str  # the customer's, which the comment is written in
    answer_seconds: int  # after the interaction
    duration_seconds: int


@dataclass(frozen=True, slots=True)
class PlannedInteraction:
    organisation: str
    unit: str
    employee: str
    channel: str
    touchpoint: str
    days_ago: int
    second: int  # of the local day
    wait_seconds: int | None  # until the customer got an answer, on channels with a queue
    decision: str  # InvitationDecision.Reason value from coordination.decide
    decision_detail: str
    quarantine_since: (
        tuple[int, int] | None
    )  # (days ago, second) of the invitation that quarantines
    sent_seconds: int  # after the send time the rule gives
    response: PlannedResponse | None

    @property
    def invited(self) -> bool:
        return self.decision == "invited"


@dataclass(frozen=True, slots=True)
class PlannedJourney:
    number: int
    journey_type: str
    customer: int  # index into Plan.customers
    interactions: tuple[PlannedInteraction, ...]
    complete: bool


@dataclass
class Plan:
    """Everything the demo will contain; `journeys` is drawn lazily so a million answers fit in memory."""

    seed: int
    employees: list[PlannedEmployee]
    customers: list[PlannedCustomer]
    journeys: Iterator[PlannedJourney]


def plan_demo(*, seed: int = 42, responses: int = 5000) -> Plan:
    """Draw the demo's people, customers and journeys (until about `responses` answers) from a seed."""
    rng = random.Random(seed)
    employees = plan_employees(rng)
    customers = plan_customers(rng, count=max(20, round(responses * CUSTOMERS_PER_RESPONSE)))
    planner = _JourneyPlanner(rng, employees, customers)
    return Plan(seed, employees, customers, planner.journeys(responses))


def planned_scores(plan: Plan) -> list[tuple[int, str]]:
    """Every planned (NPS, comment) in order; consumes the plan's journeys."""
    return [
        (i.response.nps, i.response.comment)
        for journey in plan.journeys
        for i in journey.interactions
        if i.response is not None
    ]


def _full_name(first: str, surname: tuple[str, str]) -> str:
    tussenvoegsel, last = surname
    return " ".join(part for part in (first, tussenvoegsel, last) if part)


def _mailbox(*parts: str) -> str:
    """An e-mail local part from name parts: lower case, ASCII, dots between."""
    return ".".join(slugify(part.replace("ı", "i")).replace("-", "") for part in parts if part)


def plan_employees(rng: random.Random) -> list[PlannedEmployee]:
    """The people of every unit; each unit's first person is its lead."""
    names = [(first, surname) for first in content.FIRST_NAMES for surname in content.SURNAMES]
    picked = iter(rng.sample(names, sum(spec.staff for spec in content.UNITS)))
    numbers = {slug: 0 for slug in ORGS}
    employees = []
    for spec in content.UNITS:
        for position in range(spec.staff):
            numbers[spec.organisation] += 1
            first, surname = next(picked)
            employees.append(
                _employee(rng, spec, position, numbers[spec.organisation], first, surname)
            )
    return employees


def _employee(
    rng: random.Random,
    spec: UnitSpec,
    position: int,
    number: int,
    first: str,
    surname: tuple[str, str],
) -> PlannedEmployee:
    org = ORGS[spec.organisation]
    code = f"{org.prefix}-{number:04d}"
    star = position == 1 and spec.slug in STAR_UNITS
    return PlannedEmployee(
        organisation=spec.organisation,
        unit=spec.slug,
        code=code,
        name=_full_name(first, surname),
        first_name=first,
        email=f"{_mailbox(first, surname[0] + surname[1])}@{org.domain}",
        is_lead=position == 0,
        username=_username(spec, position, code),
        effect=STAR_EFFECT if star else rng.gauss(0, 0.35),
        # Leads take fewer contacts; the demo agent takes more so their own score is soon visible.
        weight=0.3 if position == 0 else 1.6 if star else rng.uniform(0.7, 1.3),
    )


def _username(spec: UnitSpec, position: int, code: str) -> str | None:
    """Leads log in (they work the follow-up cases); in the demo team one agent does too."""
    in_demo_team = (spec.organisation, spec.slug) == content.DEMO_TEAM
    if position == 0:
        return content.DEMO_LEAD_USERNAME if in_demo_team else code.lower()
    if position == 1 and in_demo_team:
        return content.DEMO_AGENT_USERNAME
    return None


def plan_customers(rng: random.Random, *, count: int) -> list[PlannedCustomer]:
    """Customers with Dutch-looking addresses at example.nl; some prefer English."""
    seen: dict[str, int] = {}
    customers = []
    for number in range(1, count + 1):
        first = rng.choice(content.FIRST_NAMES)
        tussenvoegsel, last = rng.choice(content.SURNAMES)
        mailbox = _mailbox(first, tussenvoegsel + last)
        seen[mailbox] = seen.get(mailbox, 0) + 1
        suffix = str(seen[mailbox]) if seen[mailbox] > 1 else ""
        customers.append(
            PlannedCustomer(
                key=f"K-{number:06d}",
                email=f"{mailbox}{suffix}@example.nl",
                phone=f"06{rng.randrange(10**8):08d}",
                language="en" if rng.random() < ENGLISH_SHARE else "nl",
                segment="zakelijk" if rng.random() < 0.3 else "particulier",
            )
        )
    return customers


@dataclass(frozen=True, slots=True)
class _Draft:
    """A contact being drawn, with everything its score and comment depend on."""

    journey: JourneySpec
    step: StepSpec
    unit: UnitSpec
    employee: PlannedEmployee
    channel: str
    days_ago: int
    wait_seconds: int | None

    @property
    def wait_ratio(self) -> float:
        """The wait as a multiple of what customers find acceptable on the channel (1 if none)."""
        if self.wait_seconds is None:
            return 1.0
        return self.wait_seconds / content.CHANNEL_WAIT[self.channel][1]


class _JourneyPlanner:
    """Draws journeys, their contacts and the answers about them from the shared generator."""

    def __init__(
        self, rng: random.Random, employees: list[PlannedEmployee], customers: list[PlannedCustomer]
    ):
        self.rng = rng
        self.languages = [customer.language for customer in customers]
        self.staff: dict[tuple[str, str], list[PlannedEmployee]] = {}
        for employee in employees:
            self.staff.setdefault((employee.organisation, employee.unit), []).append(employee)
        self.staff_weights = {
            key: list(accumulate(e.weight for e in group)) for key, group in self.staff.items()
        }
        self.journey_weights = list(accumulate(spec.weight for spec in content.JOURNEYS))
        # Per customer (by index) what the chain's planner knows: the invitations planned so far.
        self.facts: dict[int, coordination.CustomerFacts] = {}
        self._topic_weights: dict[tuple[str, ...], list[float]] = {}

    def journeys(self, responses: int) -> Iterator[PlannedJourney]:
        """Journeys one after another until about `responses` of their contacts were answered."""
        answered, number = 0, 0
        while answered < responses and number < responses * MAX_JOURNEYS_PER_RESPONSE:
            number += 1
            journey = self._journey(number)
            answered += sum(1 for i in journey.interactions if i.response is not None)
            yield journey

    def _journey(self, number: int) -> PlannedJourney:
        """A journey of a type drawn by weight, for a customer drawn at random."""
        spec = self.rng.choices(content.JOURNEYS, cum_weights=self.journey_weights)[0]
        customer = self.rng.randrange(len(self.languages))
        interactions, complete = self._contacts(spec, customer, number)
        return PlannedJourney(number, spec.slug, customer, tuple(interactions), complete)

    def _steps(self, spec: JourneySpec) -> list[tuple[StepSpec, tuple[int, int]]]:
        """The steps this journey takes with the days before each; a step twice when the customer had to try again."""
        steps = []
        for step in spec.steps:
            if self.rng.random() < step.probability:
                steps.append((step, step.gap_days))
                if step.repeat and self.rng.random() < step.repeat:
                    steps.append((step, REPEAT_GAP_DAYS))
        return steps[:MAX_INTERACTIONS]

    def _contacts(
        self, spec: JourneySpec, customer: int, number: int
    ) -> tuple[list[PlannedInteraction], bool]:
        """The journey's contacts in time order; incomplete when the next one lies in the future."""
        contacts: list[PlannedInteraction] = []
        days_ago = self.rng.randrange(HISTORY_DAYS)
        for step, gap in self._steps(spec):
            after = -1
            if contacts:
                previous = contacts[-1]
                days_ago = previous.days_ago - self.rng.randint(*gap)
                after = previous.second if days_ago == previous.days_ago else -1
            contact = (
                self._interaction(spec, step, days_ago, after, customer, number)
                if days_ago >= 0
                else None
            )
            if contact is None or contact.days_ago < 0:
                return contacts, False
            contacts.append(contact)
        return contacts, True

    def _interaction(
        self,
        spec: JourneySpec,
        step: StepSpec,
        days_ago: int,
        after: int,
        customer: int,
        journey: int,
    ) -> PlannedInteraction:
        """One contact: who, when, through which channel, how long the wait, and the answer if any."""
        unit = self._unit(step)
        second = self.rng.randrange(unit.hours[0] * 3600, unit.hours[1] * 3600)
        if second <= after:  # earlier on the day of the previous contact: it happened the day after
            days_ago -= 1
        key = (unit.organisation, unit.slug)
        employee = self.rng.choices(self.staff[key], cum_weights=self.staff_weights[key])[0]
        channels, weights = zip(*step.channels, strict=True)
        channel = self.rng.choices(channels, weights=weights)[0]
        draft = _Draft(spec, step, unit, employee, channel, days_ago, self._wait(channel, unit))
        verdict, quarantine_since = self._decide(customer, journey, days_ago, second)
        sent = self.rng.randint(60, 900) if verdict.invite else 0
        response = None
        if verdict.invite and self.rng.random() < RESPONSE_RATE:
            response = self._response(draft, sent, self.languages[customer])
        return PlannedInteraction(
            unit.organisation,
            unit.slug,
            employee.code,
            channel,
            step.touchpoint,
            days_ago,
            second,
            draft.wait_seconds,
            verdict.reason,
            verdict.detail if quarantine_since is None else "",
            quarantine_since,
            sent,
            response,
        )

    def _decide(
        self, customer: int, journey: int, days_ago: int, second: int
    ) -> tuple[coordination.Verdict, tuple[int, int] | None]:
        """The planner's verdict on inviting after this contact, with the moment that quarantines it.

        Journeys are drawn out of time order, so the customer's facts may hold later invitations
        too; the rules then only say no more often (every rule looks at the latest invitation or
        counts from a moment on), so what the plan invites always keeps the policy.
        """
        facts = self.facts.setdefault(
            customer, coordination.CustomerFacts(has_email=True, has_phone=True)
        )
        if days_ago < 0:  # in the future: left out of the demo, so not decided yet
            return coordination.Verdict(False, "waiting"), None
        at = plan_moment(days_ago, second)
        verdict = coordination.decide(
            policy=POLICY, facts=facts, now=at, journey_id=journey, channel="email"
        )
        if verdict.invite:
            facts.record_invitation(at=at, journey_id=journey)
        times = facts.invitation_times
        if verdict.reason == "quarantine" and times:
            return verdict, plan_offset(times[-1])
        return verdict, None

    def _wait(self, channel: str, unit: UnitSpec) -> int | None:
        """Seconds the customer waited: around the channel's usual wait, longer in a short-staffed team."""
        if channel not in content.CHANNEL_WAIT:
            return None
        usual, _ = content.CHANNEL_WAIT[channel]
        return round(usual * unit.wait_factor * self.rng.lognormvariate(0, 0.7))

    def _unit(self, step: StepSpec) -> UnitSpec:
        """A unit that handles the step, busier the more people it has."""
        units = [UNITS[(step.organisation, slug)] for slug in step.units]
        return self.rng.choices(units, weights=[unit.staff for unit in units])[0]

    def _response(self, draft: _Draft, sent: int, language: str) -> PlannedResponse:
        """The customer's score around the contact's expected score, their comment and when they answered."""
        nps = min(10, max(0, round(self.rng.gauss(_mean_score(draft), SCORE_SD))))
        if nps <= 4 and self.rng.random() < FURY_RATE:
            nps = self.rng.randint(0, 2)
        waited = "long" if draft.wait_ratio >= LONG_WAIT_RATIO else "ok"
        context = (
            draft.channel,
            draft.unit.slug,
            draft.journey.slug,
            draft.step.touchpoint,
            waited,
        )
        comment = self._comment(nps, language, draft.employee, context)
        csat, ces = self._csat_and_ces(nps, draft)
        return PlannedResponse(
            nps,
            csat,
            ces,
            comment,
            language,
            sent + _answer_delay(self.rng),
            self.rng.randint(30, 240),
        )

    def _csat_and_ces(self, nps: int, draft: _Draft) -> tuple[int | None, int | None]:
        """Satisfaction follows the recommendation; effort also follows the wait (a long wait is hard work)."""
        csat = min(5, max(1, round(1 + nps * 0.4 + self.rng.gauss(0, 0.6))))
        wait = min(2.0, log2(max(1.0, draft.wait_ratio)))
        ces = min(7, max(1, round(2 + nps * 0.5 - wait + self.rng.gauss(0, 0.8))))
        skipped_csat, skipped_ces = (self.rng.random() < SKIP_RATE for _ in range(2))
        return (None if skipped_csat else csat), (None if skipped_ces else ces)

    def _comment(
        self, nps: int, language: str, employee: PlannedEmployee, context: tuple[str, ...]
    ) -> str:
        """An open answer whose tone follows the score and whose topic follows the contact, or ''."""
        tone = "neg" if nps <= 6 else "mixed" if nps <= 8 else "pos"
        if self.rng.random() >= COMMENT_RATE[tone]:
            return ""
        if tone == "mixed":  # passives write mixed feelings, and sometimes only the good or the bad
            tone = self.rng.choices(("mixed", "pos", "neg"), weights=(6, 2, 2))[0]
        channel, _, journey, touchpoint, _ = context
        for _ in range(TOPIC_TRIES):  # a topic with something this contact's customer could write
            topic = self.rng.choices(TOPICS, cum_weights=self._topic_weights_for(context))[0]
            fitting = [
                sentence
                for sentence in content.VERBATIMS[(language, topic, tone)]
                if content.sentence_fits(
                    sentence, channel=channel, touchpoint=touchpoint, journey=journey
                )
            ]
            if fitting:
                break
        else:
            return ""
        sentence = self.rng.choice(fitting)
        if nps <= 6 or nps >= 9:
            sentence += self._addition(language, "neg" if nps <= 6 else "pos", employee)
        return sentence

    def _addition(self, language: str, tone: str, employee: PlannedEmployee) -> str:
        """Now and then a second sentence: a closer, or a compliment that names the employee."""
        roll = self.rng.random()
        if tone == "pos" and roll < 0.1:
            return " " + content.COMPLIMENT[language].format(name=employee.first_name)
        if roll < 0.35:
            return " " + self.rng.choice(content.CLOSERS[(language, tone)])
        return ""

    def _topic_weights_for(self, context: tuple[str, ...]) -> list[float]:
        """Cumulative topic weights for a (channel, unit, journey, touchpoint, wait), cached."""
        if context not in self._topic_weights:
            weights = dict(content.TOPIC_BASE)
            keys = [
                f"{kind}:{slug}"
                for kind, slug in zip(
                    ("channel", "unit", "journey", "touchpoint", "wait"), context, strict=True
                )
            ]
            for key in keys:
                for topic, boost in content.TOPIC_BOOSTS.get(key, {}).items():
                    weights[topic] += boost
            self._topic_weights[context] = list(accumulate(weights[topic] for topic in TOPICS))
        return self._topic_weights[context]


def plan_moment(days_ago: int, second: int) -> datetime:
    """A plan's (days ago, second of the day) on the plan's clock."""
    return PLAN_EPOCH - timedelta(days=days_ago) + timedelta(seconds=second)


def plan_offset(moment: datetime) -> tuple[int, int]:
    """The (days ago, second of the day) of a moment on the plan's clock."""
    before = PLAN_EPOCH - moment
    days_ago = -((-before) // timedelta(days=1))
    return days_ago, int((moment - plan_moment(days_ago, 0)).total_seconds())


def _mean_score(draft: _Draft) -> float:
    """The expected score of a contact: organisation, team, wait, channel, journey and person effects summed."""
    progress = 1 - draft.days_ago / HISTORY_DAYS  # 0 six months ago, 1 today
    unit, channel, journey = draft.unit, draft.channel, draft.journey
    # Each doubling of the wait beyond the acceptable costs half a point, up to two points.
    wait = min(2.0, 0.5 * log2(max(1.0, draft.wait_ratio)))
    return (
        BASE_SCORE
        + ORGS[unit.organisation].effect
        + unit.effect
        + unit.trend * (progress - 0.5)
        - wait
        + content.CHANNEL_EFFECT[channel]
        + content.JOURNEY_CHANNEL_EFFECT.get((journey.slug, channel), 0.0)
        + journey.effect
        + draft.step.effect
        + draft.employee.effect
    )


def _answer_delay(rng: random.Random) -> int:
    """Seconds from the invitation to the answer: most within two hours, some days later."""
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(300, 7200)
    if roll < 0.9:
        return rng.randint(7200, 30 * 3600)
    return rng.randint(30 * 3600, 5 * 86400)
