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

Before the rule (main at f8cbfeb, 3 December 2026) this rebuilt: team lead 69 of 456 hidden scores,
organisation admin and analyst 605 of 1614, partner admin 153 of 310, employee 0 of theirs.

Out of scope here, and why (docs/anonymity.md says the same): a follow-up case shows its one answer
to whoever must call the customer back; answers that arrive between two readings; organisation-level
figures, which are not about a person, and a group made of whole days of the organisation's
answers (its readers read those day by day); unanimous groups (everyone 9–10 tells each part is
9–10).
"""

import bisect
import copy
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

from cxloop.conftest import make_cast
from cxloop.dashboards.tests import anonymity_world
from cxloop.dashboards.tests.anonymity_world import local_day
from cxloop.dashboards.tests.conftest import english_ui
from cxloop.journeys.models import Channel
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


@dataclass(frozen=True)
class Group:
    """A group of answers as a reader can name it: whose, which days, through which channel."""

    kind: str  # "org", "unit", "emp" or "members" (the employees of a unit or organisation)
    key: object  # organisation id, Unit, employee id, or (organisation id, unit path)
    since: date
    until: date
    channel: int | None = None


@dataclass
class Data:
    """The answers and who and when each is about, and the leaves a reader knows exist."""

    world: object
    rows: list = field(default_factory=list)

    def __post_init__(self) -> None:
        # (id, organisation, unit path, employee, day, channel, nps, csat, ces, comment)
        self.rows = [
            (
                r.pk,
                r.organisation_id,
                r.unit_path,
                r.employee_id,
                local_day(r.submitted_at),
                r.channel_id,
                r.nps,
                r.csat,
                r.ces,
                r.comment,
            )
            for r in self.world.responses
        ]
        self.by_text = {row[9]: row for row in self.rows if row[9]}
        self.by_id = {row[0]: row for row in self.rows}
        self.channels = sorted({row[5] for row in self.rows})
        # The leaves anyone reading the organisation knows: each employee in their unit, each unit's
        # answers without an employee, the organisation's without a unit.
        self.leaves = {}
        for organisation in self.world.organisations:
            leaves = {("", None)}
            for unit in self.world.units.values():
                if unit.organisation_id == organisation.pk:
                    leaves.add((unit.path, None))
            for employee in self.world.employees.values():
                if employee.organisation_id == organisation.pk:
                    leaves.add((employee.unit.path, employee.pk))
            self.leaves[organisation.pk] = sorted(leaves, key=repr)

    def has(self, metric: str, row: tuple) -> bool:
        return row[METRICS.index(metric) + 6] is not None

    def members(self, group: Group) -> frozenset[int]:
        """The answers (ids) in a group, by the data."""
        return frozenset(row[0] for row in self.rows if self.contains(group, row))

    def contains(self, group: Group, row: tuple) -> bool:
        if not (group.since <= row[4] <= group.until):
            return False
        if group.channel is not None and row[5] != group.channel:
            return False
        return self.leaf_in((row[2], row[3]), group, row[1])

    def leaf_in(self, leaf: tuple, group: Group, organisation: int) -> bool:
        path, employee = leaf
        if group.kind == "org":
            return organisation == group.key
        if group.kind == "unit":
            return path.startswith(group.key.path)
        if group.kind == "emp":
            return employee == group.key
        organisation_id, prefix = group.key  # members
        return organisation == organisation_id and employee is not None and path.startswith(prefix)

    def organisation_of(self, group: Group) -> int:
        if group.kind == "org":
            return group.key
        if group.kind == "unit":
            return group.key.organisation_id
        if group.kind == "emp":
            return next(
                e for e in self.world.employees.values() if e.pk == group.key
            ).organisation_id
        return group.key[0]


def nps_of(values: list[int]) -> float | None:
    if not values:
        return None
    return 100 * (sum(v >= 9 for v in values) - sum(v <= 6 for v in values)) / len(values)


# --- what a role reads -----------------------------------------------------------------------------


@dataclass
class Reading:
    """What one role read: groups whose score it knows (a group minus another, for "the rest"), the n of
    every figure it saw (shown or hidden), and answers it knows one by one."""

    scores: dict[str, list[tuple[Group, Group | None]]] = field(
        default_factory=lambda: {m: [] for m in METRICS}
    )
    counts: dict[str, list[tuple[Group, int]]] = field(
        default_factory=lambda: {m: [] for m in METRICS}
    )
    singles: set[int] = field(default_factory=set)  # answers read with their NPS and their employee
    days: set[tuple] = field(default_factory=set)  # subjects known on any day (API, own answers)
    scored: dict[str, int] = field(default_factory=dict)  # text → NPS, wherever it was read
    placed: dict[str, tuple] = field(default_factory=dict)  # text → employee it was listed under

    @property
    def figures(self) -> int:
        return sum(len(rows) for rows in self.scores.values())


class Reader:
    """One role's browser: reads pages, CSV exports, the digest and the API, and keeps what it learns."""

    def __init__(self, data: Data, client: Client, *, api_key: str | None = None):
        self.data, self.client, self.api_key = data, client, api_key
        self.reading = Reading()
        self.names = {e.name: e for e in data.world.employees.values()}
        self.units = {u.name: u for u in data.world.units.values()}

    def subject(self, kind: str, key: object, period: tuple[date, date], **extra) -> Group:
        return Group(kind, key, period[0], period[1], **extra)

    # pages and their exports

    def page(self, url: str, subject: tuple, *, days: int, employee=None) -> None:
        response = self.client.get(url, {"days": days})
        if response.status_code != 200:
            return
        html = response.content.decode()
        since, until = today() - timedelta(days=days - 1), today()
        previous = (since - timedelta(days=days), since - timedelta(days=1))
        self._extras(html, subject, (since, until), employee)
        for key in dict.fromkeys(re.findall(r"format=csv&amp;table=([a-z_]+)", html)):
            export = self.client.get(url, {"days": days, "format": "csv", "table": key})
            if export.status_code != 200:
                continue
            rows = list(csv.DictReader(io.StringIO(export.content.decode())))
            self._table(key, rows, subject, (since, until), previous, employee)

    def _figure(self, row: dict, label: str, metric: str, group: Group) -> None:
        """A score cell of an export: its n is read whenever given; its score when shown."""
        n = row.get(f"{label} n")
        if n not in (None, ""):
            self.reading.counts[metric].append((group, int(n)))
        if row.get(label) not in (None, ""):
            self.reading.scores[metric].append((group, None))

    def _metrics(self, row: dict, kind: str, key: object, period) -> None:
        for metric, label in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")):
            self._figure(row, label, metric, Group(kind, key, *period))

    def _table(self, key, rows, subject, current, previous, employee) -> None:
        kind, value = subject
        if key == "scores":
            for row in rows:
                metric = row["Measure"].lower()
                if metric in METRICS:
                    self._figure(row, "This period", metric, Group(kind, value, *current))
                    self._figure(row, "Previous period", metric, Group(kind, value, *previous))
        elif key == "units":
            for row in rows:
                self._metrics(row, "unit", self.units[row["Unit"]], current)
        elif key in ("members", "outliers"):
            for row in rows:
                self._metrics(row, "emp", self.names[row["Employee"]].pk, current)
        elif key == "trend":
            for row in rows:
                start = date.fromisoformat(row["Period starting"])
                week = (max(start, current[0]), min(start + timedelta(days=6), current[1]))
                self._figure(row, "NPS", "nps", Group(kind, value, *week))
        elif key in ("verbatims", "compliments"):
            for row in rows:
                self._verbatim(row, employee)
        elif key == "channels":
            channels = {
                c.name: c.pk for c in Channel.objects.filter(chain=self.data.world.cast.chain)
            }
            for row in rows:
                label = list(row)[1]  # the one journey type of this world
                group = Group(kind, value, *current, channel=channels[row["Channel"]])
                self._figure(row, label, "nps", group)

    def _verbatim(self, row: dict, employee) -> None:
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

    def _extras(self, html: str, subject: tuple, period: tuple[date, date], employee) -> None:
        """Figures only the page shows: the team total beside an employee, the rest of the parent,
        the overall line of the funnel plot."""
        team = re.search(
            r'aria-label="Team total".*?(<span class="score[^"]*".*?</span>)', html, re.S
        )
        if team and employee is not None and "<strong>" in team.group(1):
            self.reading.scores["nps"].append((Group("unit", employee.unit, *period), None))
        rest = re.search(r"The rest: (<span class=\"score[^\"]*\".*?</span>)", html, re.S)
        if rest and "<strong>" in rest.group(1) and subject[0] == "unit":
            unit = subject[1]
            parent = (
                Group("unit", unit.parent, *period)
                if unit.parent_id
                else Group("org", unit.organisation_id, *period)
            )
            self.reading.scores["nps"].append((parent, Group("unit", unit, *period)))
        overall = re.search(r"around the overall NPS ([−+]?\d+)", html)
        if overall and subject[0] in ("unit", "org"):
            shown = int(overall.group(1).replace("−", "-"))
            if subject[0] == "unit":
                members = (subject[1].organisation_id, subject[1].path)
            else:
                members = (subject[1], "")
            for group in (Group(*subject, *period), Group("members", members, *period)):
                # whichever group the chart is drawn around (the reader knows the definition)
                value = nps_of(self.values(group, "nps"))
                if value is not None and round(value) == shown:
                    self.reading.scores["nps"].append((group, None))

    def values(self, group: Group, metric: str) -> list[int]:
        index = METRICS.index(metric) + 6
        return [
            row[index]
            for row in self.data.rows
            if row[index] is not None and self.data.contains(group, row)
        ]

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
                    group = Group("unit", unit, since, until)
                    values = self.values(group, "nps")
                    if len(values) == int(n) and round(nps_of(values)) == int(
                        shown.replace("−", "-")
                    ):
                        self.reading.scores["nps"].append((group, None))
                        self.reading.counts["nps"].append((group, int(n)))

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
        """Every answer of the organisation with its score and moment: the organisation on any day is
        known; an answer with its employee (or its interaction, whose employee the API gives) is
        known one by one."""
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
                    self.reading.singles.add(item["id"])
                if item.get("comment") and item.get("nps") is not None:
                    self.reading.scored[item["comment"]] = item["nps"]
            if not body["next_after_id"]:
                break
            after = body["next_after_id"]
        self.reading.days.add(("org", organisation_id))

    def own_answers(self, employee) -> None:
        """The reader's own answers: known on any day (their own page, any period)."""
        self.reading.days.add(("emp", employee.pk))

    def singletons(self) -> None:
        """Answers read with their score and placed on an employee (in one table or joined by text)."""
        for text in self.reading.scored:
            if text in self.reading.placed and text in self.data.by_text:
                self.reading.singles.add(self.data.by_text[text][0])


# --- the attack ------------------------------------------------------------------------------------


def targets(data: Data, root, *, exclude=None) -> dict[tuple, Group]:
    """Every group of 1 to 4 answers about a unit or an employee within the reader's reach (an
    organisation, or a unit and below) over a period the product offers, per metric:
    (metric, subject, label, period) → the group."""
    world = data.world

    def within(unit) -> bool:
        if hasattr(root, "path"):
            return unit.path.startswith(root.path)
        return unit.organisation_id == root.pk

    subjects = [("unit", u) for u in world.units.values() if within(u)]
    subjects += [("emp", e.pk) for e in world.employees.values() if within(e.unit) and e != exclude]
    periods = list(family().values()) + sorted(trend_weeks())
    own = exclude.pk if exclude else None
    organisation = root.organisation_id if hasattr(root, "path") else root.pk
    per_day = {m: defaultdict(int) for m in METRICS}
    for r in data.rows:
        for metric in METRICS:
            if r[1] == organisation and data.has(metric, r):
                per_day[metric][r[4]] += 1
    found = {}
    for kind, key in subjects:
        everything = Group(kind, key, date.min, date.max)
        rows = [r for r in data.rows if data.contains(everything, r)]
        for metric in METRICS:
            with_metric = [r for r in rows if data.has(metric, r)]
            for period in periods:
                inside = [r for r in with_metric if period[0] <= r[4] <= period[1]]
                days = defaultdict(int)
                for r in inside:
                    days[r[4]] += 1
                # A group made only of the reader's own answers is theirs to know; one made of whole
                # days of the organisation's answers is the organisation's, which its readers read
                # day by day (docs/anonymity.md, "What the rule does not cover").
                whole = all(n == per_day[metric][day] for day, n in days.items())
                if 0 < len(inside) < MIN_N and not all(r[3] == own for r in inside) and not whole:
                    label = key.name if kind == "unit" else key
                    found[(metric, kind, label, period)] = Group(kind, key, *period)
    return found


class Cells:
    """The unknowns of the attack: answers of one leaf on a run of days (cut wherever any group read
    or sought starts or ends) through one channel. A reader does not know which cells are empty
    unless what it read says so (`_known_empty`)."""

    def __init__(self, data: Data, organisation: int, groups: list[Group]):
        self.data, self.organisation = data, organisation
        first, end = today() - timedelta(days=anonymity_world.DAYS), today() + timedelta(days=1)
        cuts = {first, end}
        for group in groups:
            cuts.add(min(max(group.since, first), end))
            cuts.add(min(max(group.until + timedelta(days=1), first), end))
        cuts = sorted(cuts)
        self.runs = [(a, b - timedelta(days=1)) for a, b in zip(cuts, cuts[1:], strict=False)]
        self.starts = [a for a, _b in self.runs]
        self.leaves = data.leaves[organisation]
        self.cache: dict[Group, frozenset] = {}

    def of(self, group: Group) -> frozenset:
        """The cells a group is made of (each cell wholly in or out by construction)."""
        if group in self.cache:
            return self.cache[group]
        result: frozenset = frozenset()
        if self.data.organisation_of(group) == self.organisation:
            leaves = [
                leaf for leaf in self.leaves if self.data.leaf_in(leaf, group, self.organisation)
            ]
            runs = [
                i for i, (a, b) in enumerate(self.runs) if group.since <= a and b <= group.until
            ]
            channels = [group.channel] if group.channel is not None else self.data.channels
            result = frozenset((leaf, run, c) for leaf in leaves for run in runs for c in channels)
        self.cache[group] = result
        return result

    def cell(self, row: tuple) -> tuple:
        run = bisect.bisect_right(self.starts, row[4]) - 1
        return ((row[2], row[3]), run, row[5])


def rebuilt(reading: Reading, goals: dict[tuple, Group], data: Data, organisation) -> list[tuple]:
    """The goals whose answers are a linear combination of what was read (per metric)."""
    found = []
    for metric in METRICS:
        mine = {k: g for k, g in goals.items() if k[0] == metric}
        if mine:
            found += _rebuilt_metric(reading, mine, data, organisation.pk, metric)
    return found


def _rebuilt_metric(reading, goals, data, organisation, metric) -> list[tuple]:
    days = reading.days
    groups = [g for pair in reading.scores[metric] for g in pair if g] + [
        g for g, _n in reading.counts[metric]
    ]
    cells = Cells(data, organisation, groups + list(goals.values()))
    rows = [
        (cells.of(plus), cells.of(minus) if minus else frozenset())
        for plus, minus in reading.scores[metric]
    ]
    # Groups known on any day (the organisation to its readers, the reader's own answers): every
    # run of days of theirs is a known sum.
    for kind, key in days:
        for since, until in cells.runs:
            rows.append((cells.of(Group(kind, key, since, until)), frozenset()))
    singles = (
        {
            i
            for i in reading.singles
            if data.by_id[i][1] == organisation and data.has(metric, data.by_id[i])
        }
        if metric == "nps"
        else set()
    )
    in_cell = defaultdict(int)
    for i in singles:
        in_cell[cells.cell(data.by_id[i])] += 1
    empty = set(_known_empty(reading.counts[metric], cells, in_cell))
    for kind, key in days:  # known on any day: so are its empty runs
        occupied = {
            cells.cell(r)[1]
            for r in data.rows
            if data.has(metric, r) and data.contains(Group(kind, key, date.min, date.max), r)
        }
        for run, (since, until) in enumerate(cells.runs):
            if run not in occupied:
                empty |= cells.of(Group(kind, key, since, until))
    usable = [(p - empty, m - empty) for p, m in rows]
    usable = [(p, m) for p, m in usable if p or m]
    wanted = {k: cells.of(g) - empty for k, g in goals.items()}
    found = [k for k, c in wanted.items() if not c]  # every answer of it is known one by one
    wanted = {k: c for k, c in wanted.items() if c}
    if not usable or not wanted:
        return found
    # Cells no equation or goal tells apart are one column.
    signature = defaultdict(list)
    for index, (plus, minus) in enumerate(usable):
        for c in plus:
            signature[c].append(index)
        for c in minus:
            signature[c].append(-index - 1)
    for index, c_set in enumerate(wanted.values()):
        for c in c_set:
            signature[c].append(("goal", index))
    classes = defaultdict(list)
    for c, sig in signature.items():
        classes[tuple(sig)].append(c)
    column = {c: i for i, members in enumerate(classes.values()) for c in members}
    matrix = np.zeros((len(usable), len(classes)))
    for r, (plus, minus) in enumerate(usable):
        for c in plus:
            matrix[r, column[c]] = 1.0
        for c in minus:
            matrix[r, column[c]] = -1.0
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > 1e-9 * max(singular.max(), 1.0)]
    for key, c_set in wanted.items():
        goal = np.zeros(len(classes))
        for c in c_set:
            goal[column[c]] = 1.0
        if np.abs(goal - basis.T @ (basis @ goal)).max() < 1e-6:
            found.append(key)
    return found


def _known_empty(counts: list[tuple[Group, int]], cells: Cells, in_cell: dict) -> frozenset:
    """Cells the reader can tell hold no answer (besides the ones it knows one by one): inside a figure
    of n = 0 or of only known answers, or the part of a figure of n answers outside the figures of the
    same period inside it whose n add up to n (a unit and its members)."""
    empty: set = set()
    sized: dict[frozenset, int] = {}
    by_period = defaultdict(list)
    for group, n in counts:
        c_set = cells.of(group)
        if c_set and c_set not in sized:
            sized[c_set] = n
            by_period[(group.since, group.until, group.channel)].append(c_set)
    for c_set, n in sized.items():
        if n == sum(in_cell.get(c, 0) for c in c_set):
            empty |= c_set
    for same in by_period.values():
        for c_set in same:
            inside = [s for s in same if len(s) < len(c_set) and s < c_set]
            outer = [s for s in inside if not any(s < o for o in inside)]
            disjoint = all(not (a & b) for i, a in enumerate(outer) for b in outer[i + 1 :])
            if outer and disjoint and sum(sized[s] for s in outer) == sized[c_set]:
                empty |= c_set - frozenset().union(*outer)
    return frozenset(empty)


# --- the roles ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(module_transaction):
    """The scenario, built once for the module: each test gets a copy, and its writes roll back."""
    with module_transaction.unblock(), english_ui():
        return anonymity_world.build(make_cast())


@pytest.fixture
def world(db, built):
    return copy.deepcopy(built)


@pytest.fixture
def cast(world):
    return world.cast


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
    organisation = root.organisation if hasattr(root, "path") else root
    return len(goals), rebuilt(reader.reading, goals, data, organisation)


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
    periods = set(family().values())
    in_family = sum(1 for k in found if k[3] in periods)
    return (
        f"{role}: {len(found)} of {hidden} hidden scores rebuilt {by_metric}, "
        f"{in_family} of them over a preset or its previous period; {sorted(found, key=repr)[:40]}"
    )


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
