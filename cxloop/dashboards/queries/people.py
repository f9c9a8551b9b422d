"""Scores, verbatims, members, units and trends of organisations, units and employees."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.db.models import (
    Case,
    F,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    TruncMonth,
    TruncWeek,
)

from cxloop import stats
from cxloop.dashboards import anonymity
from cxloop.dashboards.queries.base import (
    COUNT_FIELDS,
    SUMS,
    Filters,
    Scores,
    Slice,
    _scores,
    rollups_for,
    scores,
    scores_by,
)
from cxloop.journeys.models import Channel, JourneyType
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response

Group = TypeVar("Group", JourneyType, Channel)  # what the chain's organisations share


def scores_for_organisation(*, organisation: Organisation, filters: Filters) -> Scores:
    """An organisation's scores over its whole hierarchy."""
    return scores(slice=Slice.of_organisation(organisation), filters=filters)


def scores_for_unit(*, unit: Unit, filters: Filters) -> Scores:
    """A unit's scores including every unit below it."""
    return _scores(
        rollups_for(filters, fields=("unit_path",))
        .filter(unit_path__startswith=unit.path)
        .aggregate(**SUMS)
    )


def scores_for_employee(*, employee: Employee, filters: Filters) -> Scores:
    """One employee's scores over the responses about their interactions."""
    return _scores(
        rollups_for(filters, fields=("employee_id",)).filter(employee=employee).aggregate(**SUMS)
    )


def scores_above_unit(*, unit: Unit, filters: Filters) -> Scores:
    """The scores of a unit's parent: the parent unit's subtree, or the organisation for a top unit."""
    if unit.parent_id is None:
        return scores(
            slice=Slice(organisation_ids=frozenset({unit.organisation_id})), filters=filters
        )
    parent_path = unit.path[: unit.path.rstrip("/").rfind("/") + 1]
    return _scores(
        rollups_for(filters, fields=("unit_path",))
        .filter(unit_path__startswith=parent_path)
        .aggregate(**SUMS)
    )


def team_and_own(*, employee: Employee, filters: Filters) -> tuple[Scores, Scores]:
    """An employee's scores and their team's (the unit and below), in one grouped query."""
    rows = (
        rollups_for(filters, fields=("unit_path", "employee_id"))
        .filter(unit_path__startswith=employee.unit.path)
        .values("employee_id")
        .annotate(**SUMS)
        .order_by()
    )
    team, own = Scores(), Scores()
    for row in rows:
        team = team + _scores(row)
        if row["employee_id"] == employee.pk:
            own = own + _scores(row)
    return team, own


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


# --- verbatims, compliments, follow-ups -------------------------------------------------------


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
        .values_list(
            "submitted_at",
            "nps",
            "comment",
            "channel__name",
            "journey_type__name",
            "employee__name",
        )[:limit]
    )
    return [
        Verbatim(submitted, nps, comment, channel or "", journey_type or "", employee or "")
        for submitted, nps, comment, channel, journey_type, employee in rows
    ]


def submitted(filters: Filters) -> QuerySet[Response]:
    return Response.objects.filter(filters.response_q(), submitted_at__isnull=False)


def verbatims_for_employee(
    *,
    employee: Employee,
    since: datetime | None = None,
    filters: Filters | None = None,
    limit: int = 50,
) -> list[Verbatim]:
    """The newest open answers about one employee's interactions."""
    return _verbatims(submitted(filters or _since(since)).filter(employee=employee), limit)


def verbatims_for_unit(
    *, unit: Unit, since: datetime | None = None, filters: Filters | None = None, limit: int = 50
) -> list[Verbatim]:
    """The newest open answers about a unit and the units below it."""
    return _verbatims(
        submitted(filters or _since(since)).filter(unit_path__startswith=unit.path), limit
    )


def verbatims(*, slice: Slice, filters: Filters, limit: int = 50) -> list[Verbatim]:
    """The newest open answers in a slice."""
    return _verbatims(submitted(filters).filter(slice.q()), limit)


def compliments_for_employee(
    *, employee: Employee, filters: Filters, limit: int = 20
) -> list[Verbatim]:
    """The newest promoters (9–10) who wrote something about one employee's interactions."""
    return _verbatims(submitted(filters).filter(employee=employee, nps__gte=9), limit)


@dataclass(frozen=True)
class FollowUp:
    """How one low score about an employee's contact was followed up, as that employee may read it:
    their own answer's date and score, the case's progress and what was done; not the customer,
    not who handled it and not the notes of the case."""

    submitted_at: datetime
    nps: int | None
    status: str
    root_cause: str
    action_taken: str
    informed_at: datetime | None
    closed_at: datetime | None
    closed_reason: str


def followups_about_employee(
    *, employee: Employee, filters: Filters, limit: int = 50
) -> list[FollowUp]:
    """The follow-up cases opened on answers about one employee's contacts in the period, newest first."""
    from cxloop.followup.models import FollowUpCase

    cases = (
        FollowUpCase.objects.filter(response__in=submitted(filters).filter(employee=employee))
        .select_related("response", "root_cause")
        .order_by("-response__submitted_at", "-pk")[:limit]
    )
    return [
        FollowUp(
            submitted_at=case.response.submitted_at,
            nps=case.response.nps,
            status=case.get_status_display(),
            root_cause=case.root_cause.name if case.root_cause else "",
            action_taken=case.action_taken,
            informed_at=case.informed_at,
            closed_at=case.closed_at,
            closed_reason=case.closed_reason,
        )
        for case in cases
    ]


def open_cases_for_employee(*, employee: Employee, limit: int = 20) -> list:
    """The follow-up cases assigned to one employee that are not yet resolved, soonest due first."""
    from cxloop.followup.models import FollowUpCase
    from cxloop.followup.queries import OPEN_STATUSES

    return list(
        FollowUpCase.objects.filter(assignee=employee, status__in=OPEN_STATUSES)
        .select_related("response__journey_type", "response__channel")
        .order_by("due_at", "pk")[:limit]
    )


# --- members, units, trends ------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeRow:
    employee: Employee
    score: stats.Score
    scores: Scores | None = None


def members_of_unit(
    *, unit: Unit, since: datetime | None = None, filters: Filters | None = None
) -> list[EmployeeRow]:
    """Each employee in a unit (and below) with their scores, in two queries."""
    filters = filters or _since(since)
    employees = list(
        Employee.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("name")
    )
    grouped = _scores_of_employees(filters, employees)
    return [
        EmployeeRow(e, grouped.get(e.pk, Scores()).nps, grouped.get(e.pk, Scores()))
        for e in employees
    ]


def scores_per_employee(
    *, organisation: Organisation, filters: Filters
) -> list[tuple[Employee, Scores]]:
    """Every employee of an organisation who has not left, by code, with their scores (what
    scores_for_employee gives one), in two queries however many employees there are."""
    current = Employee.objects.filter(organisation=organisation, left_at__isnull=True)
    grouped = _scores_of_employees(filters, current)  # a subquery: no list of ids in the SQL
    return [(e, grouped.get(e.pk, Scores())) for e in current.order_by("code")]


def _scores_of_employees(
    filters: Filters, employees: list[Employee] | QuerySet[Employee]
) -> dict[int, Scores]:
    """Scores per employee id, filtered as scores_for_employee filters one, in one grouped query."""
    rows = (
        rollups_for(filters, fields=("employee_id",))
        .filter(employee__in=employees)
        .values("employee_id")
        .annotate(**SUMS)
        .order_by()
    )
    return {row["employee_id"]: _scores(row) for row in rows}


def members_of_organisation(*, organisation: Organisation, filters: Filters) -> list[EmployeeRow]:
    """Each employee of an organisation with their scores, in two queries (for the funnel plot)."""
    employees = list(
        Employee.objects.filter(organisation=organisation).select_related("unit").order_by("name")
    )
    grouped = {
        row["employee_id"]: _scores(row)
        for row in rollups_for(filters, fields=("organisation_id", "employee_id"))
        .filter(organisation=organisation, employee__isnull=False)
        .values("employee_id")
        .annotate(**SUMS)
        .order_by()
    }
    return [
        EmployeeRow(e, grouped.get(e.pk, Scores()).nps, grouped.get(e.pk, Scores()))
        for e in employees
    ]


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int
    score: stats.Score
    scores: Scores | None = None


def unit_tree(
    *,
    organisation: Organisation,
    since: datetime | None = None,
    root: Unit | None = None,
    filters: Filters | None = None,
) -> list[UnitRow]:
    """Every unit (under a root, if given) in tree order, each rolled up over its subtree, in two queries."""
    filters = filters or _since(since)
    units = Unit.objects.filter(organisation=organisation)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    rolled = _subtree_scores(organisation=organisation, filters=filters, root=root)
    base_depth = root.depth if root is not None else 0
    rows = []
    for unit in _tree_order(list(units)):
        unit_scores = rolled.get(unit.path, Scores())
        rows.append(UnitRow(unit, unit.depth - base_depth, unit_scores.nps, unit_scores))
    return rows


def scores_per_unit(*, organisation: Organisation, filters: Filters) -> list[tuple[Unit, Scores]]:
    """Every unit of an organisation in path order with its scores including the units below it
    (what scores_for_unit gives one unit), in two queries however many units there are."""
    rolled = _subtree_scores(organisation=organisation, filters=filters)
    units = Unit.objects.filter(organisation=organisation).order_by("path")
    return [(unit, rolled.get(unit.path, Scores())) for unit in units]


def _subtree_scores(
    *, organisation: Organisation, filters: Filters, root: Unit | None = None
) -> dict[str, Scores]:
    """Scores per unit path, each over its subtree, from one query grouped by path: a unit's own
    rows are credited to it and to every unit above it, which is what a prefix filter on the
    path (scores_for_unit) sums. A unit's rows carry its organisation, so filtering on that
    misses none of them."""
    direct = (
        rollups_for(filters, fields=("organisation_id", "unit_path"))
        .filter(organisation=organisation)
        .exclude(unit_path="")
    )
    if root is not None:
        direct = direct.filter(unit_path__startswith=root.path)
    direct = direct.values("unit_path").annotate(**SUMS).order_by()
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    for row in direct:
        # Credit the counts to the unit and every unit above it.
        parts = row["unit_path"].strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:depth]) + "/"
            for name in COUNT_FIELDS:
                rolled[path][name] += row[name] or 0
    return {path: _scores(counts) for path, counts in rolled.items()}


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


def _trend_rows(
    filters: Filters,
    organisation: Organisation | None,
    unit: Unit | None,
    employee: Employee | None,
    slice: Slice | None,
) -> QuerySet:
    if slice is not None:
        return rollups_for(filters, slice=slice)
    if employee is not None:
        return rollups_for(filters, fields=("employee_id",)).filter(employee=employee)
    if unit is not None:
        return rollups_for(filters, fields=("unit_path",)).filter(unit_path__startswith=unit.path)
    if organisation is not None:
        return rollups_for(filters, fields=("organisation_id",)).filter(organisation=organisation)
    return rollups_for(filters)


def _with_limits(points: list[tuple[date, Scores]]) -> list[TrendPoint]:
    limits = stats.control_limits([s.counts for _, s in points])
    return [
        TrendPoint(_as_date(start), scores, limit)
        for (start, scores), limit in zip(points, limits, strict=True)
    ]


def trend(
    *,
    filters: Filters,
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    employee: Employee | None = None,
    slice: Slice | None = None,
    grain: str = "week",
) -> list[TrendPoint]:
    """NPS per week or month with control limits, for the narrowest scope given."""
    rows = _trend_rows(filters, organisation, unit, employee, slice)
    truncate = TruncMonth("day") if grain == "month" else TruncWeek("day")
    grouped = rows.annotate(period=truncate).values("period").annotate(**SUMS).order_by("period")
    return _with_limits([(row["period"], _scores(row)) for row in grouped])


def trend_by_answers(
    *,
    filters: Filters,
    precise_n: int,
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    employee: Employee | None = None,
    slice: Slice | None = None,
) -> tuple[list[TrendPoint], str]:
    """The trend per week when a typical week (the median of the weeks with answers) has `precise_n`
    answers, else per month, with the grain chosen. One query: grouped by week and month together,
    so that both sums are exact (a week can straddle two months)."""
    rows = _trend_rows(filters, organisation, unit, employee, slice)
    grouped = (
        rows.annotate(week=TruncWeek("day"), month=TruncMonth("day"))
        .values("week", "month")
        .annotate(**SUMS)
        .order_by("week", "month")
    )
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    months: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    for row in grouped:
        for name in COUNT_FIELDS:
            weeks[row["week"]][name] += row[name] or 0
            months[row["month"]][name] += row[name] or 0
    counts = sorted(n for n in (_scores(w).counts.n for w in weeks.values()) if n)
    grain = "week" if counts and counts[len(counts) // 2] >= precise_n else "month"
    periods = weeks if grain == "week" else months
    return _with_limits([(start, _scores(periods[start])) for start in sorted(periods)]), grain


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- per journey type and channel ------------------------------------------------------------


def scores_per_journey_type(
    *, organisation: Organisation, filters: Filters
) -> list[tuple[JourneyType, Scores]]:
    """The organisation's scores in each journey type of its chain, by slug, in two queries."""
    return _scores_per_chain_group(JourneyType, "journey_type_id", organisation, filters)


def scores_per_channel(
    *, organisation: Organisation, filters: Filters
) -> list[tuple[Channel, Scores]]:
    """The organisation's scores on each channel of its chain, by slug, in two queries."""
    return _scores_per_chain_group(Channel, "channel_id", organisation, filters)


def _scores_per_chain_group(
    model: type[Group], field: str, organisation: Organisation, filters: Filters
) -> list[tuple[Group, Scores]]:
    """The organisation's scores grouped on one roll-up field: the same sums as
    scores_for_organisation narrowed to each group in turn, read in one grouped query."""
    grouped = scores_by(slice=Slice.of_organisation(organisation), filters=filters, fields=(field,))
    groups = model.objects.filter(chain_id=organisation.chain_id).order_by("slug")
    return [(group, grouped.get((group.pk,), Scores())) for group in groups]


# --- channel × journey -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    channel_id: int
    journey_type_id: int
    scores: Scores


def channel_by_journey(
    *, filters: Filters, organisation_ids: list[int] | None = None, slice: Slice | None = None
) -> list[Cell]:
    """Scores per channel for each journey type (one grouped query)."""
    if slice is None:
        slice = Slice(organisation_ids=frozenset(organisation_ids or ()))
    grouped = (
        rollups_for(
            filters,
            slice=slice,
            fields=("channel_id", "journey_type_id"),
            with_channel_and_journey=True,
        )
        .values("channel_id", "journey_type_id")
        .annotate(**SUMS)
        .order_by()
    )
    return [Cell(row["channel_id"], row["journey_type_id"], _scores(row)) for row in grouped]


# --- what the anonymity rule needs -------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """An organisation's answers per (unit path, employee, ring), by metric: what the anonymity rule
    works out which figures of units and employees may be shown from. The units are the paths'
    prefixes and the employees the ids that occur: units and employees without answers have no
    figure to protect."""

    counts: dict[str, dict[tuple[tuple[str, int | None], int], int]]  # metric → (leaf, ring) → n

    def leaves(self) -> set[tuple[str, int | None]]:
        return {leaf for counts in self.counts.values() for (leaf, _ring) in counts}


def people(*, organisation: Organisation, today: date) -> People:
    """One grouped query over the roll-ups of the last two years, summed per leaf and ring."""
    bounds = anonymity.ring_bounds(today)
    ring = Case(
        *(When(day__gte=first, day__lte=last, then=Value(index)) for index, first, last in bounds),
        output_field=IntegerField(),
    )
    oldest = min(first for _, first, _last in bounds)
    rows = (
        rollups_for(
            Filters(since=oldest, until=today),
            fields=("organisation_id", "unit_path", "employee_id"),
        )
        .filter(organisation=organisation)
        .annotate(ring=ring)
        .values("unit_path", "employee_id", "ring")
        .annotate(
            nps=Sum(F("promoters") + F("passives") + F("detractors")),
            csat=Sum("csat_n"),
            ces=Sum("ces_n"),
        )
        .order_by()
    )
    counts: dict[str, dict] = {"nps": {}, "csat": {}, "ces": {}}
    for row in rows:
        leaf = (row["unit_path"] or "", row["employee_id"])
        for metric in counts:
            key = (leaf, row["ring"])
            counts[metric][key] = counts[metric].get(key, 0) + (row[metric] or 0)
    return People(counts=counts)
