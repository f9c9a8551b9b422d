"""The anonymity minimum holds against someone who adds and subtracts everything they can read.

For each role (team lead, organisation admin, analyst, the employee themself, a partner's admin) the
test reads what that role can read over HTTP: every dashboard page of its organisation for every
preset period (the cards with the previous period, units, members, trends, verbatims and the team
total), their CSV exports, the unit analyses, the topics page, the morning digest and the JSON API
with the organisation's key. It then tries to rebuild every hidden score: each group of 1 to 4
answers about a unit or an employee over a period the product offers (the presets, their previous
periods, and each trend week), other than the reader's own.

The attacker is linear and well informed. It knows which answers each figure it read is made of
(who belongs to which unit, which days a period covers, even which days had no answers at all) and
the counts behind every score it saw; an open answer read with its score counts as one known answer
wherever it can be placed: next to an employee's name, on an employee's page, or joined by its text
with the same answer read elsewhere. A hidden group is rebuilt when its answers are a sum and
difference of what was read: its indicator vector lies in the span of the known ones. Nothing it
read may rebuild one (docs/anonymity.md, "What the rule promises").

Out of scope here, and why (docs/anonymity.md says the same): a follow-up case shows its one answer
to whoever must call the customer back; answers that arrive between two readings; organisation-level
figures, which are not about a person; unanimous groups (everyone 9–10 tells each part is 9–10).
"""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from cxloop.dashboards.tests import anonymity_world
from cxloop.dashboards.tests.anonymity_world import local_day
from cxloop.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db

MIN_N = 5
PRESETS = (7, 30, 90, 180, 365)
METRICS = ("nps", "csat", "ces")
NUMBER = re.compile(r"[−+-]?\d+(?:[.,]\d+)?")


# --- the groups a hidden score can be about ------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def family() -> dict[str, tuple[date, date]]:
    """The presets and their previous periods, written out as the filters define them."""
    t = today()
    periods = {}
    for days in PRESETS:
        since = t - timedelta(days=days - 1)
        periods[f"{days}d"] = (since, t)
        periods[f"prev {days}d"] = (since - timedelta(days=days), since - timedelta(days=1))
    return periods


def trend_weeks() -> set[tuple[date, date]]:
    """Each ISO week inside each preset, cut off at the period's start (the trend's points)."""
    t, weeks = today(), set()
    for days in PRESETS:
        since = t - timedelta(days=days - 1)
        start = since - timedelta(days=since.weekday())
        while start <= t:
            weeks.add((max(start, since), min(start + timedelta(days=6), t)))
            start += timedelta(days=7)
    return weeks


@dataclass
class Data:
    """The answers, by metric, and who and when each is about."""

    world: object
    rows: list = field(
        default_factory=list
    )  # (id, organisation, unit path, employee, day, nps, csat, ces, comment)

    def __post_init__(self) -> None:
        self.rows = [
            (
                r.pk,
                r.organisation_id,
                r.unit_path,
                r.employee_id,
                local_day(r.submitted_at),
                r.nps,
                r.csat,
                r.ces,
                r.comment,
            )
            for r in self.world.responses
        ]
        self.by_text = {row[8]: row for row in self.rows if row[8]}
        index = {"nps": 5, "csat": 6, "ces": 7}
        self.ids = {m: [row[0] for row in self.rows if row[index[m]] is not None] for m in METRICS}

    def select(self, subject: tuple, since: date, until: date) -> frozenset[int]:
        """The answers of a subject in a period (any metric; callers intersect with a metric's)."""
        kind, value = subject
        test = {
            "org": lambda row: row[1] == value,
            "unit": lambda row: row[2].startswith(value.path),
            "members": lambda row: (
                row[1] == value[0] and row[3] is not None and row[2].startswith(value[1])
            ),
            "emp": lambda row: row[3] == value,
            "org-day": lambda row: row[1] == value,
        }[kind]
        return frozenset(row[0] for row in self.rows if since <= row[4] <= until and test(row))

    def values(self, ids: frozenset[int], metric: str) -> list[int]:
        index = {"nps": 5, "csat": 6, "ces": 7}[metric]
        wanted = set(ids)
        return [row[index] for row in self.rows if row[0] in wanted and row[index] is not None]


def nps_of(values: list[int]) -> float | None:
    if not values:
        return None
    return 100 * (sum(v >= 9 for v in values) - sum(v <= 6 for v in values)) / len(values)


# --- what a role reads -----------------------------------------------------------------------------


@dataclass
class Reading:
    """Everything one role read, as sets of answers whose counts it knows."""

    known: dict[str, set[frozenset[int]]] = field(
        default_factory=lambda: {m: set() for m in METRICS}
    )
    scored: dict[str, int] = field(default_factory=dict)  # text → NPS, wherever it was read
    placed: dict[str, tuple] = field(default_factory=dict)  # text → subject it was listed under
    figures: int = 0

    def know(self, metric: str, ids: frozenset[int]) -> None:
        if ids:
            self.known[metric].add(ids)
            self.figures += 1


class Reader:
    """One role's browser: reads pages, CSV exports, the digest and the API, and keeps what it learns."""

    def __init__(self, data: Data, client: Client, *, api_key: str | None = None):
        self.data, self.client, self.api_key = data, client, api_key
        self.reading = Reading()
        self.names = {e.name: e for e in data.world.employees.values()}
        self.units = {u.name: u for u in data.world.units.values()}

    # pages and their exports

    def page(self, url: str, subject: tuple, *, days: int, employee=None) -> None:
        response = self.client.get(url, {"days": days})
        if response.status_code != 200:
            return
        html = response.content.decode()
        since, until = today() - timedelta(days=days - 1), today()
        previous = (since - timedelta(days=days), since - timedelta(days=1))
        self._extras(html, subject, since, until, employee)
        for key in dict.fromkeys(re.findall(r"format=csv&amp;table=([a-z_]+)", html)):
            export = self.client.get(url, {"days": days, "format": "csv", "table": key})
            if export.status_code != 200:
                continue
            rows = list(csv.DictReader(io.StringIO(export.content.decode())))
            self._table(key, rows, subject, (since, until), previous, employee)

    def _figure(self, row: dict, label: str, metric: str, ids: frozenset[int]) -> None:
        if row.get(label) not in (None, ""):
            self.reading.know(metric, ids)

    def _metrics(self, row: dict, subject: tuple, period: tuple[date, date]) -> None:
        for metric, label in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")):
            self._figure(row, label, metric, self.data.select(subject, *period))

    def _table(self, key, rows, subject, current, previous, employee) -> None:
        if key == "scores":
            for row in rows:
                metric = row["Measure"].lower()
                if metric in METRICS:
                    self._figure(row, "This period", metric, self.data.select(subject, *current))
                    self._figure(
                        row, "Previous period", metric, self.data.select(subject, *previous)
                    )
        elif key == "units":
            for row in rows:
                self._metrics(row, ("unit", self.units[row["Unit"]]), current)
        elif key in ("members", "outliers"):
            for row in rows:
                self._metrics(row, ("emp", self.names[row["Employee"]].pk), current)
        elif key == "trend":
            for row in rows:
                start = date.fromisoformat(row["Period starting"])
                week = (max(start, current[0]), min(start + timedelta(days=6), current[1]))
                self._figure(row, "NPS", "nps", self.data.select(subject, *week))
        elif key in ("verbatims", "compliments"):
            for row in rows:
                self._verbatim(row, subject, employee)
        elif key == "channels":
            self._heatmap(rows, subject, current)

    def _verbatim(self, row: dict, subject: tuple, employee) -> None:
        text = row.get("What the customer wrote", "").lstrip("'")
        if not text:
            return
        name = row.get("Employee") or ""
        if employee is not None:
            self.reading.placed[text] = ("emp", employee.pk)
        elif name:
            self.reading.placed[text] = ("emp", self.names[name].pk)
        if row.get("NPS") not in (None, ""):
            self.reading.scored[text] = int(row["NPS"])

    def _heatmap(self, rows: list[dict], subject: tuple, period) -> None:
        """A unit's channel × journey cells: the unit's answers through one channel."""
        from cxloop.journeys.models import Channel

        channels = {c.name: c.pk for c in Channel.objects.filter(chain=self.data.world.cast.chain)}
        by_channel = {
            r.pk: r.channel_id for r in self.data.world.responses
        }  # one journey type in this world
        for row in rows:
            cell = list(row)[1] if len(row) > 1 else None  # the one journey type's NPS
            if cell is None or row.get(cell) in (None, ""):
                continue
            ids = frozenset(
                i
                for i in self.data.select(subject, *period)
                if by_channel[i] == channels[row["Channel"]]
            )
            self.reading.know("nps", ids)

    def _extras(self, html: str, subject: tuple, since: date, until: date, employee) -> None:
        """Figures only the page shows: the team total beside an employee, the rest of the parent,
        the overall line of the funnel plot."""
        team = re.search(
            r'aria-label="Team total".*?(<span class="score[^"]*".*?</span>)', html, re.S
        )
        if team and employee is not None and "<strong>" in team.group(1):
            self.reading.know("nps", self.data.select(("unit", employee.unit), since, until))
        rest = re.search(r"The rest: (<span class=\"score[^\"]*\".*?</span>)", html, re.S)
        if rest and "<strong>" in rest.group(1) and subject[0] == "unit":
            unit = subject[1]
            parent = ("unit", unit.parent) if unit.parent_id else ("org", unit.organisation_id)
            self.reading.know(
                "nps",
                self.data.select(parent, since, until) - self.data.select(subject, since, until),
            )
        overall = re.search(r"around the overall NPS ([−+]?\d+)", html)
        if overall and subject[0] in ("unit", "org"):
            shown = int(overall.group(1).replace("−", "-"))
            if subject[0] == "unit":
                members = (subject[1].organisation_id, subject[1].path)
            else:
                members = (subject[1], "")
            candidates = [
                self.data.select(subject, since, until),
                self.data.select(("members", members), since, until),
            ]
            for ids in candidates:  # whichever set the chart is drawn around
                value = nps_of(self.data.values(ids, "nps"))
                if value is not None and round(value) == shown:
                    self.reading.know("nps", ids)

    # the digest, the topics page and the API

    def digest(self, user) -> None:
        for message in OutboxMessage.objects.filter(recipient=user.email, purpose="digest"):
            for name, shown, n in re.findall(
                r"^(.+?): NPS last 7 days ([−+]?\d+) \(n = (\d+)\)", message.body_text, re.M
            ):
                unit = self.units.get(name)
                if unit is None:
                    continue
                t = today()
                for since, until in (
                    (t - timedelta(days=7), t - timedelta(days=1)),
                    (t - timedelta(days=6), t),
                ):
                    ids = self.data.select(("unit", unit), since, until)
                    values = self.data.values(ids, "nps")
                    if len(values) == int(n) and round(nps_of(values)) == int(
                        shown.replace("−", "-")
                    ):
                        self.reading.know("nps", ids)

    def topics(self, slug: str) -> None:
        for days in (30, 90, 180, 365):
            html = self.client.get(f"/text/{slug}/", {"days": days}).content.decode()
            for text, score in re.findall(
                r"<tr>\s*<td>([^<]+?)\s*(?:<small>[^<]*</small>)?\s*(?:<ul>.*?</ul>)?\s*</td>\s*<td>(\d+)</td>",
                html,
                re.S,
            ):
                self.reading.scored[text.strip()] = int(score)

    def api(self, organisation_id: int) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.api_key}"}
        after, employees = 0, {e.code: e for e in self.data.world.employees.values()}
        while True:
            page = self.client.get("/api/responses", {"after_id": after, "limit": 1000}, **headers)
            if page.status_code != 200:
                return
            body = page.json()
            for item in body["items"]:
                code = item.get("employee")
                if code is None and item.get("interaction"):
                    detail = self.client.get(f"/api/interactions/{item['interaction']}", **headers)
                    code = detail.json().get("employee") if detail.status_code == 200 else None
                if code in employees and item.get("nps") is not None:
                    self.reading.know("nps", frozenset({item["id"]}))
                if item.get("comment") and item.get("nps") is not None:
                    self.reading.scored[item["comment"]] = item["nps"]
                    if code in employees:
                        self.reading.placed[item["comment"]] = ("emp", employees[code].pk)
            if not body["next_after_id"]:
                break
            after = body["next_after_id"]
        # Every answer of the organisation with its score and moment: the organisation per day is known.
        start = today() - timedelta(days=anonymity_world.DAYS)
        for offset in range(anonymity_world.DAYS + 1):
            day = start + timedelta(days=offset)
            self.reading.know("nps", self.data.select(("org-day", organisation_id), day, day))

    def own_answers(self, employee) -> None:
        """The employee's own answers: each day's are known to them (their own page, any period)."""
        start = today() - timedelta(days=anonymity_world.DAYS)
        for offset in range(anonymity_world.DAYS + 1):
            day = start + timedelta(days=offset)
            for metric in METRICS:
                self.reading.know(metric, self.data.select(("emp", employee.pk), day, day))

    def singletons(self) -> None:
        """Answers read with their score and placed on an employee (in one table or joined by text)."""
        for text in self.reading.scored:
            if text in self.reading.placed and text in self.data.by_text:
                self.reading.know("nps", frozenset({self.data.by_text[text][0]}))


# --- the attack ------------------------------------------------------------------------------------


def targets(data: Data, root, *, exclude=None) -> dict[tuple, frozenset[int]]:
    """Every group of 1 to 4 answers about a unit or an employee within the reader's reach (an
    organisation, or a unit and below) over a period the product offers, per metric:
    (metric, subject, label, period) → its answers."""
    world = data.world

    def within(unit) -> bool:
        if hasattr(root, "path"):
            return unit.path.startswith(root.path)
        return unit.organisation_id == root.pk

    subjects = [("unit", u) for u in world.units.values() if within(u)]
    subjects += [("emp", e.pk) for e in world.employees.values() if within(e.unit) and e != exclude]
    periods = list(family().values()) + sorted(trend_weeks())
    # A group made only of the reader's own answers is theirs to know.
    own = data.select(("emp", exclude.pk), date.min, date.max) if exclude else frozenset()
    found = {}
    for metric in METRICS:
        with_metric = set(data.ids[metric])
        for subject in subjects:
            for period in periods:
                ids = data.select(subject, *period) & with_metric
                if 0 < len(ids) < MIN_N and not ids <= own:
                    label = subject[1].name if subject[0] == "unit" else subject[1]
                    found[(metric, subject[0], label, period)] = frozenset(ids)
    return found


def rebuilt(reading: Reading, goals: dict[tuple, frozenset[int]], data: Data) -> list[tuple]:
    """The goals whose answers are a linear combination of the known groups (per metric)."""
    found = []
    for metric in METRICS:
        mine = {k: v for k, v in goals.items() if k[0] == metric}
        if not mine:
            continue
        with_metric = frozenset(data.ids[metric])
        known = {s & with_metric for s in reading.known[metric]} - {frozenset()}
        # Answers known one by one drop out of every equation: their values are known.
        single = {next(iter(s)) for s in known if len(s) == 1}
        rows = [s - single for s in known]
        goal_sets = {k: v - single for k, v in mine.items()}
        for key, ids in goal_sets.items():
            if not ids:
                found.append(key)  # every answer of the group was read one by one
        rows = [s for s in set(rows) if s]
        wanted = {k: v for k, v in goal_sets.items() if v}
        if not rows or not wanted:
            continue
        # Answers no equation or goal tells apart are one column.
        signature = defaultdict(list)
        for index, s in enumerate(rows):
            for i in s:
                signature[i].append(index)
        for index, key in enumerate(wanted):
            for i in wanted[key]:
                signature[i].append(-1 - index)
        classes = defaultdict(list)
        for i, sig in signature.items():
            classes[tuple(sig)].append(i)
        column = {i: c for c, members in enumerate(classes.values()) for i in members}
        matrix = np.zeros((len(rows), len(classes)))
        for r, s in enumerate(rows):
            for i in s:
                matrix[r, column[i]] = 1.0
        _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[singular > 1e-9 * max(singular.max(), 1.0)]
        for key, ids in wanted.items():
            goal = np.zeros(len(classes))
            for i in ids:
                goal[column[i]] = 1.0
            residual = goal - basis.T @ (basis @ goal)
            if np.abs(residual).max() < 1e-6:
                found.append(key)
    return found


# --- the roles ----------------------------------------------------------------------------------------


@pytest.fixture
def world(cast):
    return anonymity_world.build(cast)


@pytest.fixture
def data(world):
    return Data(world)


def employee_pages(world, organisation) -> list:
    return [e for e in world.employees.values() if e.organisation_id == organisation.pk]


def unit_pages(world, organisation) -> list:
    return [u for u in world.units.values() if u.organisation_id == organisation.pk]


def read_everything(reader: Reader, world, organisation, *, employees, units, org: bool) -> None:
    for days in PRESETS:
        if org:
            reader.page(f"/organisations/{organisation.slug}/", ("org", organisation.pk), days=days)
        for unit in units:
            reader.page(f"/units/{unit.pk}/", ("unit", unit), days=days)
            reader.page(f"/units/{unit.pk}/analysis/", ("unit", unit), days=days)
        for employee in employees:
            reader.page(
                f"/employees/{employee.pk}/", ("emp", employee.pk), days=days, employee=employee
            )


def send_digests(world) -> None:
    from cxloop.digest.services import send_daily_digests

    world.cast.agent.user.email = "anouk@leasewijs.nl"
    world.cast.agent.user.save(update_fields=["email"])
    morning = timezone.make_aware(datetime.combine(today(), time(8, 0)))
    send_daily_digests(now=morning)


def attack(data: Data, reader: Reader, root, *, exclude=None) -> tuple[int, list]:
    reader.singletons()
    goals = targets(data, root, exclude=exclude)
    return len(goals), rebuilt(reader.reading, goals, data)


def lead_reading(data, world) -> Reader:
    cast = world.cast
    reader = Reader(data, cast.client_for(cast.lead.user))
    team = [u for u in world.units.values() if u.path.startswith(cast.team.path)]
    members = [e for e in world.employees.values() if e.unit.path.startswith(cast.team.path)]
    read_everything(reader, world, cast.owner, employees=members, units=team, org=False)
    for days in PRESETS:
        reader.page("/me/", ("emp", cast.lead.pk), days=days, employee=cast.lead)
    reader.own_answers(cast.lead)
    send_digests(world)
    reader.digest(cast.lead.user)
    return reader


def org_reading(data, world, user, organisation, key) -> Reader:
    reader = Reader(data, world.cast.client_for(user), api_key=key)
    read_everything(
        reader,
        world,
        organisation,
        employees=employee_pages(world, organisation),
        units=unit_pages(world, organisation),
        org=True,
    )
    reader.topics(organisation.slug)
    reader.api(organisation.pk)
    return reader


def employee_reading(data, world) -> Reader:
    cast = world.cast
    reader = Reader(data, cast.client_for(cast.agent.user))
    for days in PRESETS:
        reader.page("/me/", ("emp", cast.agent.pk), days=days, employee=cast.agent)
    reader.own_answers(cast.agent)
    send_digests(world)
    reader.digest(cast.agent.user)
    return reader


def report(role: str, hidden: int, found: list) -> str:
    by_metric = {m: sum(1 for k in found if k[0] == m) for m in METRICS}
    return f"{role}: {len(found)} of {hidden} hidden scores rebuilt {by_metric}; e.g. {found[:3]}"


def test_a_team_lead_rebuilds_no_hidden_score(data, world):
    reader = lead_reading(data, world)
    hidden, found = attack(data, reader, world.cast.team, exclude=world.cast.lead)
    assert hidden > 100 and reader.reading.figures > 100
    assert not found, report("team lead", hidden, found)


def test_an_organisation_admin_rebuilds_no_hidden_score(data, world):
    cast = world.cast
    reader = org_reading(data, world, cast.owner_admin, cast.owner, cast.owner_key)
    hidden, found = attack(data, reader, cast.owner)
    assert hidden > 300 and reader.reading.figures > 300
    assert not found, report("organisation admin", hidden, found)


def test_an_analyst_rebuilds_no_hidden_score(data, world):
    cast = world.cast
    reader = org_reading(data, world, world.analyst, cast.owner, cast.owner_key)
    hidden, found = attack(data, reader, cast.owner)
    assert hidden > 300 and reader.reading.figures > 300
    assert not found, report("analyst", hidden, found)


def test_an_employee_rebuilds_no_colleagues_hidden_score(data, world):
    reader = employee_reading(data, world)
    hidden, found = attack(data, reader, world.cast.team, exclude=world.cast.agent)
    assert hidden > 100 and reader.reading.figures > 10
    assert not found, report("employee", hidden, found)


def test_a_partners_admin_rebuilds_no_hidden_score(data, world):
    cast = world.cast
    reader = org_reading(data, world, cast.partner_admin, cast.partner, cast.partner_key)
    hidden, found = attack(data, reader, cast.partner)
    assert hidden > 50 and reader.reading.figures > 50
    assert not found, report("partner admin", hidden, found)
