"""A deterministic chain full of feedback for the dashboard tests, and plain-Python sums over it.

On top of the shared cast: a second team under Klantenservice (Team Zuid, one agent), four journey
types with each kind of data-sharing agreement for Belcentrum, four channels, two segments,
touchpoints, journeys of one to three interactions (some after the answer, with waits), answers
to a "moment that mattered most" question and follow-up cases. Responses are added to the
roll-ups as they would be live.

The `expected_*` functions recompute what a dashboard should show from the raw rows with their
own arithmetic (Rocks' adjusted Wald written out again, Agresti–Coull, the z-test), never with
cxloop.stats or the dashboards' queries.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import sqrt
from statistics import NormalDist
from zoneinfo import ZoneInfo

from django.utils import timezone

from cxloop.customers.models import Customer
from cxloop.dashboards.rollups import add_response
from cxloop.journeys.models import (
    Channel,
    DataSharingAgreement,
    Interaction,
    Journey,
    JourneyType,
    Touchpoint,
)
from cxloop.orgs.models import Employee, Unit
from cxloop.orgs.services import create_employee, create_unit
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Z = 1.959963984540054


@dataclass
class World:
    cast: object
    zuid: Unit
    zoe: Employee
    journey_types: dict[str, JourneyType]
    channels: dict[str, Channel]
    touchpoints: dict[str, list[Touchpoint]]
    moment_question: Question
    responses: list[Response] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)


def build(cast, *, seed: int = 7, count: int = 400) -> World:
    """The chain and `count` responses over the last 170 days (both this and the previous 90 days)."""
    rng = random.Random(seed)
    owner, partner, chain = cast.owner, cast.partner, cast.chain
    zuid = create_unit(
        organisation=owner, name="Team Zuid", slug="team-zuid", parent=cast.department
    )
    zoe = create_employee(
        organisation=owner,
        unit=zuid,
        code="Z1",
        name="Zoë Zuid",
        username="zoe",
        password="test-password-123",
    )
    journey_types = {"schade-melden": cast.journey_type}
    for slug, name, visibility in (
        ("klacht", "Klacht", "totals"),
        ("opzeggen", "Opzeggen", "all"),
        ("bestellen", "Bestellen", None),
    ):
        journey_types[slug] = JourneyType.objects.create(
            chain=chain, owner=owner, name=name, slug=slug
        )
        if visibility:
            DataSharingAgreement.objects.create(
                journey_type=journey_types[slug], organisation=partner, visibility=visibility
            )
    channels = {"telefoon": cast.phone, "e-mail": cast.email}
    for slug, name in (("chat", "Chat"), ("whatsapp", "WhatsApp")):
        channels[slug] = Channel.objects.create(chain=chain, name=name, slug=slug)
    touchpoints = {"schade-melden": [cast.touchpoint]}
    touchpoints["schade-melden"].append(
        Touchpoint.objects.create(
            journey_type=cast.journey_type, name="Afhandeling", slug="afhandeling", position=2
        )
    )
    for slug in ("klacht", "opzeggen", "bestellen"):
        touchpoints[slug] = [
            Touchpoint.objects.create(
                journey_type=journey_types[slug],
                name=f"{journey_types[slug].name} {i}",
                slug=f"tp-{i}",
                position=i,
            )
            for i in (1, 2)
        ]
    moment_question = Question.objects.create(
        survey=cast.survey,
        position=3,
        kind=Question.Kind.MOMENT,
        text_nl="Welk moment?",
        text_en="Which moment?",
    )
    world = World(cast, zuid, zoe, journey_types, channels, touchpoints, moment_question)
    staff = {
        owner.pk: [cast.agent, cast.colleague, cast.lead, zoe],
        partner.pk: [cast.partner_agent],
    }
    now = timezone.now()
    for index in range(count):
        _one(world, rng, index, now, staff)
    return world


def _one(world: World, rng: random.Random, index: int, now: datetime, staff: dict) -> None:
    cast = world.cast
    slug = rng.choice(["schade-melden"] * 3 + ["klacht", "opzeggen", "bestellen"])
    journey_type = world.journey_types[slug]
    submitted = now - timedelta(days=rng.uniform(0, 170), minutes=rng.randint(0, 600))
    customer = Customer.objects.create(
        chain=cast.chain, key=f"S-{index}", segment=rng.choice(["particulier", "zakelijk", ""])
    )
    journey = Journey.objects.create(
        chain=cast.chain,
        journey_type=journey_type,
        customer=customer,
        external_id=f"sj-{index}",
        started_at=submitted - timedelta(days=5),
    )
    interactions = []
    for step in range(rng.randint(1, 3)):
        organisation = rng.choice([cast.owner, cast.owner, cast.partner])
        employee = rng.choice(staff[organisation.pk] + [None])
        channel = rng.choice(list(world.channels.values()))
        occurred = submitted - timedelta(
            hours=rng.uniform(-30, 90)
        )  # some contacts come after the answer
        interactions.append(
            Interaction.objects.create(
                organisation=organisation,
                external_id=f"si-{index}-{step}",
                journey=journey,
                customer=customer,
                occurred_at=occurred,
                channel=channel,
                touchpoint=rng.choice(world.touchpoints[slug] + [None]),
                unit=employee.unit if employee else (organisation.units.first()),
                employee=employee,
                wait_seconds=_wait(rng, channel.slug),
            )
        )
    world.interactions += interactions
    about = interactions[0]
    unit = about.unit
    response = Response.objects.create(
        survey=cast.survey,
        customer=customer,
        organisation=about.organisation,
        interaction=about,
        journey=journey,
        journey_type=journey_type,
        unit=unit,
        unit_path=unit.path if unit else "",
        employee=about.employee,
        channel=about.channel,
        touchpoint=about.touchpoint,
        nps=None
        if rng.random() < 0.06
        else _score(rng, world, about, interactions, submitted, now),
        csat=rng.choice([None, rng.randint(1, 5), rng.randint(3, 5)]),
        ces=rng.choice([None, rng.randint(1, 7)]),
        comment=rng.choice(["", "", f"opmerking {index}", f"=cmd|' /C calc'!A{index}"]),
        started_at=submitted,
        submitted_at=submitted,
    )
    if rng.random() < 0.45:
        Answer.objects.create(
            response=response,
            question=world.moment_question,
            chosen_touchpoint=rng.choice(world.touchpoints[slug]),
        )
    add_response(response_id=response.pk)
    world.responses.append(response)


def _score(
    rng: random.Random,
    world: World,
    about: Interaction,
    interactions: list[Interaction],
    submitted: datetime,
    now: datetime,
) -> int:
    """A 0–10 answer with real effects to find: people, a recent improvement in Team Noord, a channel,
    and a contact moment ("Afhandeling") that costs points."""
    cast = world.cast
    mood = {
        cast.agent.pk: 2.0,
        cast.colleague.pk: -2.5,
        world.zoe.pk: 2.5,
        cast.partner_agent.pk: -1.0,
    }.get(about.employee_id, 0.0)
    if about.unit_id == cast.team.pk and now - submitted < timedelta(days=45):
        mood += 1.5
    mood += {"chat": 1.0, "whatsapp": -1.0}.get(about.channel.slug, 0.0)
    if any(
        i.touchpoint and i.touchpoint.slug == "afhandeling" and i.occurred_at <= submitted
        for i in interactions
    ):
        mood -= 2.0
    return max(0, min(10, round(rng.gauss(7 + mood, 2.0))))


def _wait(rng: random.Random, slug: str) -> int | None:
    if rng.random() < 0.15:
        return None
    return {
        "telefoon": rng.randint(0, 90),
        "chat": rng.randint(0, 150),
        "e-mail": rng.randint(0, 4 * 86400),
        "whatsapp": rng.randint(0, 2 * 86400),
    }[slug]


# --- independent arithmetic ------------------------------------------------------------------


def local_day(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def in_period(responses: list[Response], since: date, until: date) -> list[Response]:
    return [r for r in responses if since <= local_day(r.submitted_at) <= until]


@dataclass(frozen=True)
class Expected:
    score: float | None
    n: int
    low: float | None = None
    high: float | None = None


def expected_nps(values: list[int | None]) -> Expected:
    """Rocks (2016), written out: add 0.75 promoters, 1.5 passives, 0.75 detractors."""
    values = [v for v in values if v is not None]
    n = len(values)
    if n == 0:
        return Expected(None, 0)
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    pp, pd = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    centre = pp - pd
    half = Z * sqrt((pp + pd - centre**2) / (n + 3))
    return Expected(
        100 * (promoters - detractors) / n,
        n,
        max(-100, 100 * (centre - half)),
        min(100, 100 * (centre + half)),
    )


def expected_csat(values: list[int | None]) -> Expected:
    """Top-2-box with the Agresti–Coull interval."""
    values = [v for v in values if v is not None]
    n = len(values)
    if n == 0:
        return Expected(None, 0)
    x = sum(1 for v in values if v >= 4)
    centre = (x + Z * Z / 2) / (n + Z * Z)
    half = Z * sqrt(centre * (1 - centre) / (n + Z * Z))
    return Expected(100 * x / n, n, 100 * max(0, centre - half), 100 * min(1, centre + half))


def expected_ces(values: list[int | None]) -> Expected:
    values = [v for v in values if v is not None]
    n = len(values)
    if n == 0:
        return Expected(None, 0)
    mean = sum(values) / n
    if n == 1:
        return Expected(mean, 1, 1.0, 7.0)
    sd = sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return Expected(mean, n, max(1.0, mean - Z * sd / sqrt(n)), min(7.0, mean + Z * sd / sqrt(n)))


def expected_share(successes: int, n: int) -> Expected:
    centre = (successes + Z * Z / 2) / (n + Z * Z)
    half = Z * sqrt(centre * (1 - centre) / (n + Z * Z))
    return Expected(
        100 * successes / n, n, 100 * max(0, centre - half), 100 * min(1, centre + half)
    )


def nps_classes(values: list[int | None]) -> tuple[int, int, int]:
    values = [v for v in values if v is not None]
    return (
        sum(1 for v in values if v >= 9),
        sum(1 for v in values if 7 <= v <= 8),
        sum(1 for v in values if v <= 6),
    )


def expected_z_test(a: list[int | None], b: list[int | None]) -> tuple[float, float] | None:
    """Difference in NPS points and its two-sided p-value, SE = sqrt(V1/n1 + V2/n2), V = p + d − NPS²."""

    def moments(values: list[int | None]) -> tuple[float, float, int]:
        p, _, d = nps_classes(values)
        n = p + _ + d
        nps = (p - d) / n
        return nps, p / n + d / n - nps**2, n

    if not [v for v in a if v is not None] or not [v for v in b if v is not None]:
        return None
    (na, va, ca), (nb, vb, cb) = moments(a), moments(b)
    se = sqrt(va / ca + vb / cb)
    if se == 0:
        return None
    z = (na - nb) / se
    return 100 * (na - nb), 2 * (1 - NormalDist().cdf(abs(z)))
