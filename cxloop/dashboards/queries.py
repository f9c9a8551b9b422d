"""Reads behind the dashboards; each takes the scope it reports on as a required argument."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from cxloop import stats
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response

NPS_COUNTS = {
    "promoters": Count("pk", filter=Q(nps__gte=9)),
    "passives": Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
    "detractors": Count("pk", filter=Q(nps__lte=6)),
}


def scored_responses(*, since: datetime) -> QuerySet[Response]:
    """Submitted responses with an NPS answer since a moment."""
    return Response.objects.filter(submitted_at__gte=since, nps__isnull=False)


def _score(row: dict) -> stats.Score:
    return stats.nps(promoters=row["promoters"], passives=row["passives"], detractors=row["detractors"])


def nps_for_employee(*, employee: Employee, since: datetime) -> stats.Score:
    """One employee's NPS over the responses about their interactions."""
    return _score(scored_responses(since=since).filter(employee=employee).aggregate(**NPS_COUNTS))


def nps_for_unit(*, unit: Unit, since: datetime) -> stats.Score:
    """A unit's NPS including every unit below it."""
    return _score(scored_responses(since=since).filter(unit_path__startswith=unit.path).aggregate(**NPS_COUNTS))


def nps_for_organisation(*, organisation: Organisation, since: datetime) -> stats.Score:
    """An organisation's NPS over all its responses."""
    return _score(scored_responses(since=since).filter(organisation=organisation).aggregate(**NPS_COUNTS))


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


def verbatims_for_employee(*, employee: Employee, since: datetime, limit: int = 50) -> list[Verbatim]:
    """The newest open answers about one employee's interactions."""
    return _verbatims(scored_responses(since=since).filter(employee=employee), limit)


def verbatims_for_unit(*, unit: Unit, since: datetime, limit: int = 50) -> list[Verbatim]:
    """The newest open answers about a unit and the units below it."""
    return _verbatims(scored_responses(since=since).filter(unit_path__startswith=unit.path), limit)


@dataclass(frozen=True)
class EmployeeRow:
    employee: Employee
    score: stats.Score


def members_of_unit(*, unit: Unit, since: datetime) -> list[EmployeeRow]:
    """Each employee in a unit (and below) with their NPS, in two queries."""
    employees = list(
        Employee.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("name")
    )
    counts = {
        row["employee_id"]: row
        for row in scored_responses(since=since)
        .filter(employee__in=employees)
        .values("employee_id")
        .annotate(**NPS_COUNTS)
    }
    empty = {"promoters": 0, "passives": 0, "detractors": 0}
    return [EmployeeRow(e, _score(counts.get(e.pk, empty))) for e in employees]


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int
    score: stats.Score


def unit_tree(*, organisation: Organisation, since: datetime, root: Unit | None = None) -> list[UnitRow]:
    """Every unit (under a root, if given) in tree order, each rolled up over its subtree, in two queries."""
    units = Unit.objects.filter(organisation=organisation)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    units_by_path = {u.path: u for u in units}
    direct = (
        scored_responses(since=since)
        .filter(organisation=organisation)
        .exclude(unit_path="")
        .values("unit_path")
        .annotate(**NPS_COUNTS)
    )
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: {"promoters": 0, "passives": 0, "detractors": 0})
    for row in direct:
        # Credit the counts to the unit and every unit above it.
        parts = row["unit_path"].strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            path = "/" + "/".join(parts[:depth]) + "/"
            for key in ("promoters", "passives", "detractors"):
                rolled[path][key] += row[key]
    ordered = _tree_order(list(units_by_path.values()))
    base_depth = root.depth if root is not None else 0
    return [UnitRow(u, u.depth - base_depth, _score(rolled[u.path])) for u in ordered]


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
