"""A realistic organisation for the anonymity tests: eight teams and eighteen employees of two
organisations, each answered at their own rate over 450 days, so that many scores fall below the
minimum in the short periods and rise above it in the long ones.

On top of the shared cast (Leasewijs with Klantenservice → Team Noord: Lotte, Anouk, Bram; the partner
Belcentrum with Inbound: Pim):

    Leasewijs   Klantenservice → Team Noord (+ Noor, Sem, and answers about the team itself)
                               → Team Zuid (Zoë, Daan)
                               → Team Oost (Eva, Finn, Gijs)
                Schade (answers about the department itself) → Team Expertise (Hugo, Iris, Jan)
    Belcentrum  Inbound (+ Quinten, Roos, and answers about the unit), Uitbel (Sara)

Rows are written in bulk and the roll-ups rebuilt once (`rollups.rebuild`), as `cxloop` does after an
import; two thirds of the answers carry an open answer with a unique text.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from cxloop.customers.models import Customer
from cxloop.dashboards import rollups
from cxloop.journeys.models import Channel, Interaction, Journey, JourneyType
from cxloop.orgs.models import Employee, Organisation, Role, Unit
from cxloop.orgs.services import create_employee, create_unit, grant_role
from cxloop.responses.models import Response
from cxloop.surveys.models import Survey
from cxloop.text.services import analyse_pending

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAYS = 450
PASSWORD = "test-password-123"

# unit slug: (name, parent slug or None, organisation, answers a week about the unit itself)
UNITS = {
    "team-zuid": ("Team Zuid", "klantenservice", "owner", 0.0),
    "team-oost": ("Team Oost", "klantenservice", "owner", 0.0),
    "schade": ("Schade", None, "owner", 0.8),
    "expertise": ("Team Expertise", "schade", "owner", 0.0),
    "uitbel": ("Uitbel", None, "partner", 0.0),
}
# code: (name, unit slug, answers a week, mood)
STAFF = {
    "N1": ("Noor Nieuw", "team-noord", 0.5, 0.5),
    "S1": ("Sem Snel", "team-noord", 3.5, 1.0),
    "Z1": ("Zoë Zuid", "team-zuid", 1.2, 2.0),
    "D1": ("Daan Druk", "team-zuid", 0.4, -1.0),
    "E1": ("Eva Efficiënt", "team-oost", 4.5, 0.5),
    "F1": ("Finn Fris", "team-oost", 2.0, -0.5),
    "G1": ("Gijs Gedegen", "team-oost", 0.7, 0.0),
    "H1": ("Hugo Hulp", "expertise", 2.5, 0.0),
    "I1": ("Iris Inzet", "expertise", 1.0, 1.5),
    "J1": ("Jan Jansen", "expertise", 0.45, -2.0),
    "Q1": ("Quinten Quist", "inbound", 1.0, -0.5),
    "R1": ("Roos Rust", "inbound", 0.5, 0.5),
    "S2": ("Sara Snoek", "uitbel", 2.0, 0.0),
}
CAST_RATES = {"L1": (0.9, 0.5), "A1": (2.5, 1.5), "B1": (1.8, -1.5), "P1": (2.5, -0.5)}
UNIT_DIRECT = {"team-noord": 0.5, "inbound": 0.8}


@dataclass
class World:
    cast: object
    analyst: object
    units: dict[str, Unit]
    employees: dict[str, Employee]
    responses: list[Response] = field(default_factory=list)

    @property
    def organisations(self) -> list[Organisation]:
        return [self.cast.owner, self.cast.partner]


def build(cast, *, seed: int = 10) -> World:
    """The two organisations, their people and ~2,400 answers over the last 450 days."""
    rng = random.Random(seed)
    units = {
        "klantenservice": cast.department,
        "team-noord": cast.team,
        "inbound": Unit.objects.get(organisation=cast.partner, slug="inbound"),
    }
    organisations = {"owner": cast.owner, "partner": cast.partner}
    for slug, (name, parent, organisation, _rate) in UNITS.items():
        units[slug] = create_unit(
            organisation=organisations[organisation],
            name=name,
            slug=slug,
            parent=units[parent] if parent else None,
        )
    employees = {e.code: e for e in (cast.lead, cast.agent, cast.colleague, cast.partner_agent)}
    for code, (name, slug, _rate, _mood) in STAFF.items():
        unit = units[slug]
        employees[code] = create_employee(
            organisation=unit.organisation, unit=unit, code=code, name=name
        )
    analyst = get_user_model().objects.create_user(username="anna", password=PASSWORD)
    grant_role(user=analyst, organisation=cast.owner, role=Role.ANALYST)
    world = World(cast, analyst, units, employees)
    _answers(world, rng)
    return world


def _sources(world: World) -> list[tuple[Unit, Employee | None, float, float]]:
    """Who answers are about: (unit, employee or None, answers a week, mood)."""
    sources = []
    for code, employee in world.employees.items():
        rate, mood = CAST_RATES.get(code) or STAFF[code][2:]
        sources.append((employee.unit, employee, rate, mood))
    for slug, rate in UNIT_DIRECT.items():
        sources.append((world.units[slug], None, rate, 0.0))
    for slug, (*_rest, rate) in UNITS.items():
        if rate:
            sources.append((world.units[slug], None, rate, -0.5))
    return sources


def _answers(world: World, rng: random.Random) -> None:
    cast = world.cast
    now = timezone.now()
    channels = list(Channel.objects.filter(chain=cast.chain))
    journey_type = JourneyType.objects.get(chain=cast.chain, slug="schade-melden")
    surveys = {s.organisation_id: s for s in Survey.objects.filter(organisation__chain=cast.chain)}
    rows = []
    for unit, employee, rate, mood in _sources(world):
        for day in range(DAYS):
            # A Poisson number of answers that day, by thinning: rate a week → rate / 7 a day.
            count = sum(1 for _ in range(12) if rng.random() < rate / 7 / 12)
            for _ in range(count):
                moment = now - timedelta(days=day, minutes=rng.randint(0, 600))
                rows.append((moment, unit, employee, mood))
    rows.sort(key=lambda row: row[0])
    customers = Customer.objects.bulk_create(
        Customer(chain=cast.chain, key=f"W-{i}", segment=rng.choice(["particulier", "zakelijk"]))
        for i in range(len(rows))
    )
    journeys = Journey.objects.bulk_create(
        Journey(
            chain=cast.chain,
            journey_type=journey_type,
            customer=customer,
            external_id=f"wj-{i}",
            started_at=row[0] - timedelta(days=2),
        )
        for i, (row, customer) in enumerate(zip(rows, customers, strict=True))
    )
    interactions = Interaction.objects.bulk_create(
        Interaction(
            organisation=row[1].organisation,
            external_id=f"wi-{i}",
            journey=journey,
            customer=journey.customer,
            occurred_at=row[0] - timedelta(hours=2),
            channel=rng.choice(channels),
            unit=row[1],
            employee=row[2],
        )
        for i, (row, journey) in enumerate(zip(rows, journeys, strict=True))
    )
    responses = []
    for i, (row, interaction) in enumerate(zip(rows, interactions, strict=True)):
        moment, unit, employee, mood = row
        responses.append(
            Response(
                survey=surveys[unit.organisation_id],
                customer=interaction.customer,
                organisation=unit.organisation,
                interaction=interaction,
                journey=interaction.journey,
                journey_type=journey_type,
                unit=unit,
                unit_path=unit.path,
                employee=employee,
                channel=interaction.channel,
                nps=None if rng.random() < 0.05 else _clip(rng.gauss(7.5 + mood, 2.2), 0, 10),
                csat=_clip(rng.gauss(3.8 + mood / 3, 1.0), 1, 5) if rng.random() < 0.6 else None,
                ces=_clip(rng.gauss(3.0 - mood / 3, 1.3), 1, 7) if rng.random() < 0.5 else None,
                comment=f"antwoord {i} {rng.choice(WORDS)} {rng.choice(WORDS)}"
                if rng.random() < 0.65
                else "",
                started_at=moment,
                submitted_at=moment,
            )
        )
    world.responses = Response.objects.bulk_create(responses)
    rollups.rebuild()
    # The topics page lists the newest analysed answers: analyse the last weeks' as the sweeper would.
    analyse_pending(since=now - timedelta(days=21), limit=None)


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def local_day(moment: datetime):
    return moment.astimezone(AMSTERDAM).date()


WORDS = (
    "snel",
    "vriendelijk",
    "traag",
    "duidelijk",
    "geholpen",
    "wachttijd",
    "afspraak",
    "prima",
    "teleurgesteld",
    "netjes",
    "lang",
    "correct",
)
