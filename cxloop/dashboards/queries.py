"""Reads behind the dashboards; each takes the scope it reports on as a required argument.

Scores come from the daily roll-ups (DailyScore), so a page costs the same with ten thousand or
ten million responses; verbatims come from the newest responses through an index.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from cxloop import stats
from cxloop.dashboards.models import DailyScore
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response

COUNT_FIELDS = ("promoters", "passives", "detractors", "csat_n", "csat_top2", "ces_n", "ces_sum", "ces_sum_squares")
SUMS = {name: Sum(name, default=0) for name in COUNT_FIELDS}


@dataclass(frozen=True)
class Filters:
    """The filters every dashboard shares; the URL holds them."""

    since: date
    until: date
    journey_type_id: int | None = None
    channel_id: int | None = None
    touchpoint_id: int | None = None
    segment: str = ""

    def previous(self) -> "Filters":
        """The same filters over the period just before this one, of equal length."""
        length = self.until - self.since + timedelta(days=1)
        return Filters(self.since - length, self.since - timedelta(days=1), self.journey_type_id, self.channel_id,
                       self.touchpoint_id, self.segment)

    def q(self) -> Q:
        condition = Q(day__gte=self.since, day__lte=self.until)
        for name in ("journey_type_id", "channel_id", "touchpoint_id"):
            if getattr(self, name):
                condition &= Q(**{name: getattr(self, name)})
        if self.segment:
            condition &= Q(segment=self.segment)
        return condition

    def response_q(self) -> Q:
        """The same filters on the responses table (for verbatims)."""
        condition = Q(submitted_at__date__gte=self.since, submitted_at__date__lte=self.until)
        for name in ("journey_type_id", "channel_id", "touchpoint_id"):
            if getattr(self, name):
                condition &= Q(**{name: getattr(self, name)})
        if self.segment:
            condition &= Q(customer__segment=self.segment)
        return condition


@dataclass(frozen=True)
class Scores:
    """NPS, CSAT and CES of one slice, from summed roll-up counts."""

    counts: stats.NpsCounts = field(default_factory=stats.NpsCounts)
    csat_n: int = 0
    csat_top2: int = 0
    ces_n: int = 0
    ces_sum: int = 0
    ces_sum_squares: int = 0

    @property
    def nps(self) -> stats.Score:
        c = self.counts
        return stats.nps(promoters=c.promoters, passives=c.passives, detractors=c.detractors)

    @property
    def csat(self) -> stats.Score:
        return stats.proportion(successes=self.csat_top2, n=self.csat_n)

    @property
    def ces(self) -> stats.Score:
        if self.ces_n == 0:
            return stats.Score(None, 0, None, None)
        mean = self.ces_sum / self.ces_n
        if self.ces_n == 1:
            return stats.Score(mean, 1, 1.0, 7.0)
        variance = max(0.0, (self.ces_sum_squares - self.ces_n * mean**2) / (self.ces_n - 1))
        half = stats.Z95 * (variance / self.ces_n) ** 0.5
        return stats.Score(mean, self.ces_n, max(1.0, mean - half), min(7.0, mean + half))

    @property
    def n(self) -> int:
        return self.counts.n


def _scores(row: dict) -> Scores:
    return Scores(
        counts=stats.NpsCounts(row["promoters"] or 0, row["passives"] or 0, row["detractors"] or 0),
        **{name: row[name] or 0 for name in COUNT_FIELDS[3:]},
    )


def _rollups(filters: Filters) -> QuerySet[DailyScore]:
    return DailyScore.objects.filter(filters.q())


def scores_for_organisation(*, organisation: Organisation, filters: Filters) -> Scores:
    """An organisation's scores over its whole hierarchy."""
    return _scores(_rollups(filters).filter(organisation=organisation).aggregate(**SUMS))


def scores_for_unit(*, unit: Unit, filters: Filters) -> Scores:
    """A unit's scores including every unit below it."""
    return _scores(_rollups(filters).filter(unit_path__startswith=unit.path).aggregate(**SUMS))


def scores_for_employee(*, employee: Employee, filters: Filters) -> Scores:
    """One employee's scores over the responses about their interactions."""
    return _scores(_rollups(filters).filter(employee=employee).aggregate(**SUMS))


# Kept for the first dashboards and tests: NPS over the last days.
def nps_for_employee(*, employee: Employee, since: datetime) -> stats.Score:
    return scores_for_employee(employee=employee, filters=_since(since)).nps


def nps_for_unit(*, unit: Unit, since: datetime) -> stats.Score:
    return scores_for_unit(unit=unit, filters=_since(since)).nps


def nps_for_organisation(*, organisation: Organisation, since: datetime) -> stats.Score:
    return scores_for_organisation(organisation=organisation, filters=_since(since)).nps


def _since(since: datetime) -> Filters:
    from django.utils import timezone

    return Filters(since=timezone.localdate(since), until=timezone.localdate() + timedelta(days=1))


@dataclass(frozen=True)
class Verbatim:
    submitted_at: datetime
    nps: int | None
    comment: str
    channel: str
    journey_type: str
    employee_name: str


def _verbatims(queryset: QuerySet[Response], limit: int) -> list[Verbatim]:
    rows = (
        queryset.exclude(comment="")
        .order_by("-submitted_at")
        .values_list("submitted_at", "nps", "comment", "channel__name", "journey_type__name", "employee__name")[:limit]
    )
    return [
        Verbatim(submitted, nps, comment, channel or "", journey_type or "", employee or "")
        for submitted, nps, comment, channel, journey_type, employee in rows
    ]


def submitted(filters: Filters) -> QuerySet[Response]:
    return Response.objects.filter(filters.response_q(), submitted_at__isnull=False)


def verbatims_for_employee(*, employee: Employee, since: datetime | None = None, filters: Filters | None = None, limit: int = 50) -> list[Verbatim]:
    """The newest open answers about one employee's interactions."""
    return _verbatims(submitted(filters or _since(since)).filter(employee=employee), limit)


def verbatims_for_unit(*, unit: Unit, since: datetime | None = None, filters: Filters | None = None, limit: int = 50) -> list[Verbatim]:
    """The newest open answers about a unit and the units below it."""
    return _verbatims(submitted(filters or _since(since)).filter(unit_path__startswith=unit.path), limit)


@dataclass(frozen=True)
class EmployeeRow:
    employee: Employee
    score: stats.Score
    scores: Scores | None = None


def members_of_unit(*, unit: Unit, since: datetime | None = None, filters: Filters | None = None) -> list[EmployeeRow]:
    """Each employee in a unit (and below) with their scores, in two queries."""
    filters = filters or _since(since)
    employees = list(Employee.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("name"))
    grouped = {
        row["employee_id"]: _scores(row)
        for row in _rollups(filters).filter(employee__in=employees).values("employee_id").annotate(**SUMS).order_by()
    }
    return [EmployeeRow(e, grouped.get(e.pk, Scores()).nps, grouped.get(e.pk, Scores())) for e in employees]


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int
    score: stats.Score
    scores: Scores | None = None


def unit_tree(*, organisation: Organisation, since: datetime | None = None, root: Unit | None = None, filters: Filters | None = None) -> list[UnitRow]:
    """Every unit (under a root, if given) in tree order, each rolled up over its subtree, in two queries."""
    filters = filters or _since(since)
    units = Unit.objects.filter(organisation=organisation)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    units_by_path = {u.path: u for u in units}
    direct = _rollups(filters).filter(organisation=organisation).exclude(unit_path="").values("unit_path").annotate(**SUMS).order_by()
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    for row in direct:
        # Credit the counts to the unit and every unit above it.
        parts = row["unit_path"].strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:depth]) + "/"
            for name in COUNT_FIELDS:
                rolled[path][name] += row[name] or 0
    ordered = _tree_order(list(units_by_path.values()))
    base_depth = root.depth if root is not None else 0
    rows = []
    for unit in ordered:
        scores = _scores(rolled[unit.path])
        rows.append(UnitRow(unit, unit.depth - base_depth, scores.nps, scores))
    return rows


def _tree_order(units: list[Unit]) -> list[Unit]:
    children: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children[parent].append(unit)
    ordered: list[Unit] = []

    def walk(parent: int | None) -> None:
        for child in sorted(children[parent], key=lambda u: u.name):
            ordered.append(child)
            walk(child.pk)

    walk(None)
    return ordered


@dataclass(frozen=True)
class TrendPoint:
    start: date
    scores: Scores
    limits: stats.Limits | None


def trend(*, filters: Filters, organisation: Organisation | None = None, unit: Unit | None = None,
          employee: Employee | None = None, grain: str = "week") -> list[TrendPoint]:
    """NPS per week or month with control limits, for the narrowest scope given."""
    rows = _rollups(filters)
    if employee is not None:
        rows = rows.filter(employee=employee)
    elif unit is not None:
        rows = rows.filter(unit_path__startswith=unit.path)
    elif organisation is not None:
        rows = rows.filter(organisation=organisation)
    truncate = TruncMonth("day") if grain == "month" else TruncWeek("day")
    grouped = rows.annotate(period=truncate).values("period").annotate(**SUMS).order_by("period")
    points = [(row["period"], _scores(row)) for row in grouped]
    limits = stats.control_limits([s.counts for _, s in points])
    return [TrendPoint(_as_date(start), scores, limit) for (start, scores), limit in zip(points, limits, strict=True)]


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class Cell:
    channel_id: int
    journey_type_id: int
    scores: Scores


def channel_by_journey(*, filters: Filters, organisation_ids: list[int]) -> list[Cell]:
    """Scores per channel for each journey type (one grouped query)."""
    grouped = (
        _rollups(filters).filter(organisation_id__in=organisation_ids, channel__isnull=False, journey_type__isnull=False)
        .values("channel_id", "journey_type_id").annotate(**SUMS).order_by()
    )
    return [Cell(row["channel_id"], row["journey_type_id"], _scores(row)) for row in grouped]
