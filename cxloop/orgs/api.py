"""API: the organisation's units and employees, kept in step with HR by idempotent upserts.

Keyed by the organisation's own codes (a unit's code is its slug); the rules are those of
`cxloop.orgs.structure`: all or nothing, a report per bad row, a dry run that writes nothing.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema, Status

from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs import structure
from cxloop.orgs.access import api_key_of
from cxloop.orgs.models import Employee, Unit

units_router = Router()
employees_router = Router()


class UnitIn(Schema):
    code: str = Field(
        min_length=1,
        max_length=50,
        description="Your code of the unit (lower-case, digits, hyphens)",
    )
    name: str = Field(min_length=1, max_length=200)
    parent: str = Field("", max_length=50, description="The parent's code; empty at the top")
    kind: str = Field("team", pattern=r"^(division|department|team)$")


class UnitOut(Schema):
    code: str
    name: str
    parent: str
    kind: str
    closed: bool


class UnitsIn(Schema):
    items: list[UnitIn] = Field(min_length=1, max_length=5000)
    dry_run: bool = Field(False, description="Report what would change and write nothing")


class ReportOut(Schema):
    """What the upsert did, or in a dry run would do, by code."""

    dry_run: bool
    created: list[str]
    updated: list[str]
    moved: list[str]
    unchanged: list[str]
    left: list[str]


class EmployeeIn(Schema):
    code: str = Field(min_length=1, max_length=64, description="Your employee number or id")
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=50, description="The unit's code")
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmployeeOut(Schema):
    code: str
    name: str
    email: str
    unit: str
    left_at: datetime | None


class EmployeesIn(Schema):
    items: list[EmployeeIn] = Field(min_length=1, max_length=20000)
    dry_run: bool = Field(False, description="Report what would change and write nothing")
    leave_missing: bool = Field(
        False, description="Everyone not in the items leaves (a full HR file)"
    )


class EmployeePage(Schema):
    items: list[EmployeeOut]
    next_after: str | None = Field(description="Pass back as `after` for the next page")


def _report(report: structure.Report) -> Status:
    if report.errors:
        return refuse(422, "nothing was written: fix the rows named in errors", report.errors)
    return Status(
        200,
        {
            "dry_run": report.dry_run,
            "created": report.created,
            "updated": report.updated,
            "moved": report.moved,
            "unchanged": report.unchanged,
            "left": report.left,
        },
    )


@units_router.get("", response=list[UnitOut], operation_id="units_list")
def list_units(request: HttpRequest):
    """Every unit of your organisation, parents before children."""
    api_key = api_key_of(request)
    units = (
        Unit.objects.filter(organisation=api_key.organisation)
        .select_related("parent")
        .order_by("path")
    )
    return [
        {
            "code": u.slug,
            "name": u.name,
            "parent": u.parent.slug if u.parent else "",
            "kind": u.kind,
            "closed": u.closed_at is not None,
        }
        for u in units
    ]


@units_router.put("", response={200: ReportOut, 422: ErrorOut}, operation_id="units_upsert")
def upsert_units(request: HttpRequest, payload: UnitsIn):
    """Create, rename or move units by your codes; sending the same file twice changes nothing."""
    api_key = api_key_of(request)
    rows = [structure.UnitRow(i.code, i.name, i.parent, i.kind) for i in payload.items]
    with translation.override("en"):  # the API's messages are English, like its documentation
        report = structure.upsert_units(
            organisation=api_key.organisation, rows=rows, actor=api_key, dry_run=payload.dry_run
        )
    return _report(report)


@employees_router.get("", response=EmployeePage, operation_id="employees_list")
def list_employees(
    request: HttpRequest, after: str = "", limit: int = 500, include_left: bool = False
):
    """Your organisation's employees by code; those who left only with `include_left`."""
    api_key = api_key_of(request)
    limit = max(1, min(limit, 5000))
    rows = Employee.objects.filter(
        organisation=api_key.organisation, code__gt=after
    ).select_related("unit")
    if not include_left:
        rows = rows.filter(left_at__isnull=True)
    page = list(rows.order_by("code")[: limit + 1])
    items = [
        {
            "code": e.code,
            "name": e.name,
            "email": e.email,
            "unit": e.unit.slug,
            "left_at": e.left_at,
        }
        for e in page[:limit]
    ]
    return {"items": items, "next_after": page[limit - 1].code if len(page) > limit else None}


@employees_router.put("", response={200: ReportOut, 422: ErrorOut}, operation_id="employees_upsert")
def upsert_employees(request: HttpRequest, payload: EmployeesIn):
    """Create, rename or move employees by your codes; with `leave_missing` the rest leave."""
    api_key = api_key_of(request)
    rows = [structure.EmployeeRow(i.code, i.name, i.unit, i.email) for i in payload.items]
    with translation.override("en"):  # the API's messages are English, like its documentation
        report = structure.upsert_employees(
            organisation=api_key.organisation,
            rows=rows,
            actor=api_key,
            dry_run=payload.dry_run,
            leave_missing=payload.leave_missing,
        )
    return _report(report)


@employees_router.post(
    "/{code}/leave", response={200: EmployeeOut, 404: ErrorOut}, operation_id="employees_leave"
)
def leave(request: HttpRequest, code: str):
    """The employee leaves: their answers stay in the statistics; they no longer log in or lead."""
    api_key = api_key_of(request)
    employee = (
        Employee.objects.select_related("unit")
        .filter(organisation=api_key.organisation, code=code)
        .first()
    )
    if employee is None:
        return refuse(404, "no employee with this code in your organisation")
    employee = structure.leave(employee=employee, actor=api_key)
    return Status(
        200,
        {
            "code": employee.code,
            "name": employee.name,
            "email": employee.email,
            "unit": employee.unit.slug,
            "left_at": employee.left_at,
        },
    )
