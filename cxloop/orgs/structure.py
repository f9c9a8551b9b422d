"""An organisation's structure kept in step with HR: units and employees upserted by the
organisation's own codes (a unit's slug, an employee's code), for the API and the HR import.

All or nothing: every row is checked first and a bad row is reported by its index without
writing anything. A dry run reports what would change and writes nothing. A unit moved to
another parent takes its history along (the answers' and roll-ups' unit paths follow it); an
employee moved to another unit leaves the answers of their time there where they were given.
An employee who leaves keeps their history, stops logging in and stops leading units.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cxloop.audit.services import Actor, record_change, snapshot
from cxloop.dashboards.models import DailyScore, EmployeeDayScore, UnitDayScore
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.orgs.services import create_employee, create_unit
from cxloop.responses.models import Response


class ClosingRefused(ValueError):
    """A unit that still has employees or open units under it cannot close."""


UNIT_FIELDS = ["name", "slug", "kind", "parent", "path", "closed_at"]
EMPLOYEE_FIELDS = ["code", "name", "email", "unit", "left_at"]


@dataclass(frozen=True)
class UnitRow:
    code: str  # the unit's slug: the organisation's own code for it
    name: str
    parent: str = ""  # the parent's code; empty for a unit at the top
    kind: str = Unit.Kind.TEAM


@dataclass(frozen=True)
class EmployeeRow:
    code: str
    name: str
    unit: str  # the unit's code
    email: str = ""


@dataclass
class Report:
    """What an upsert did (or, in a dry run, would do), by code; errors by row index."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that nothing it wrote stays."""


def _check_units(organisation: Organisation, rows: list[UnitRow]) -> dict[int, list[str]]:
    existing = Unit.objects.filter(organisation=organisation).select_related("parent")
    known = {unit.slug for unit in existing}
    closed = {unit.slug for unit in existing if unit.closed_at is not None}
    closed_parents = {unit.slug: unit.parent.slug for unit in existing if unit.parent}
    codes = Counter(row.code for row in rows)  # a count per code: an HR file has thousands
    errors: dict[int, list[str]] = {}
    kinds = set(Unit.Kind.values)
    for index, row in enumerate(rows):
        problems = []
        if not row.code or slugify(row.code) != row.code:
            problems.append(
                _("code “%(code)s” must be lower-case letters, digits and hyphens")
                % {"code": row.code}
            )
        if codes[row.code] > 1:
            problems.append(_("code “%(code)s” appears more than once") % {"code": row.code})
        if not row.name.strip():
            problems.append(_("name is empty"))
        if row.kind not in kinds:
            problems.append(
                _("kind “%(kind)s” is not one of %(kinds)s")
                % {"kind": row.kind, "kinds": ", ".join(sorted(kinds))}
            )
        if row.parent and row.parent not in known and row.parent not in codes:
            problems.append(
                _("parent “%(parent)s” is neither a unit nor in this file") % {"parent": row.parent}
            )
        if row.parent in closed and closed_parents.get(row.code) != row.parent:
            # A closed unit takes no new children; one already under it may stay there.
            problems.append(_("parent “%(parent)s” is closed") % {"parent": row.parent})
        if row.parent == row.code:
            problems.append(_("a unit cannot be its own parent"))
        if problems:
            errors[index] = problems
    return errors


def _in_tree_order(rows: list[UnitRow], organisation: Organisation) -> list[UnitRow] | None:
    """Rows so that every parent comes before its children; None when they form a cycle."""
    by_code = {row.code: row for row in rows}
    parents = {
        u.slug: (u.parent.slug if u.parent else "")
        for u in Unit.objects.filter(organisation=organisation).select_related("parent")
    }
    parents.update({row.code: row.parent for row in rows})
    ordered: list[UnitRow] = []
    done: set[str] = set()
    for row in rows:
        chain, code = [], row.code
        while code and code not in done:
            if code in chain:
                return None
            chain.append(code)
            code = parents.get(code, "")
        for code in reversed(chain):
            done.add(code)
            if code in by_code:
                ordered.append(by_code[code])
    return ordered


def _move(unit: Unit, parent: Unit | None) -> None:
    """Re-hang a unit and its subtree; the answers and roll-ups under it follow their unit."""
    old = unit.path
    new = f"{parent.path if parent else '/'}{unit.pk}/"
    if parent is not None and parent.path.startswith(old):
        raise ValueError(_("a unit cannot move under its own subtree"))
    keep = len(old) + 1
    for model, column in (
        (Unit, "path"),
        (Response, "unit_path"),
        (DailyScore, "unit_path"),
        (UnitDayScore, "unit_path"),
        (EmployeeDayScore, "unit_path"),
    ):
        model.objects.filter(**{f"{column}__startswith": old}).update(
            **{column: Concat(Value(new), Substr(column, keep))}
        )
    unit.parent, unit.path = parent, new


def upsert_units(
    *, organisation: Organisation, rows: list[UnitRow], actor: Actor = None, dry_run: bool = False
) -> Report:
    """Create units that are new, rename, re-kind or move the ones that exist."""
    report = Report(dry_run=dry_run, errors=_check_units(organisation, rows))
    if report.errors:
        return report
    ordered = _in_tree_order(rows, organisation)
    if ordered is None:
        report.errors[0] = [_("the parents form a cycle")]
        return report
    try:
        with transaction.atomic():
            _write_units(organisation, ordered, actor, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ValueError as refused:
        report.errors[0] = [str(refused)]
    return report


def _write_units(
    organisation: Organisation, rows: list[UnitRow], actor: Actor, report: Report
) -> None:
    units = {
        u.slug: u for u in Unit.objects.filter(organisation=organisation).select_related("parent")
    }
    for row in rows:
        parent = units[row.parent] if row.parent else None
        unit = units.get(row.code)
        if unit is None:
            units[row.code] = create_unit(
                organisation=organisation,
                name=row.name,
                slug=row.code,
                parent=parent,
                kind=row.kind,
                actor=actor,
            )
            report.created.append(row.code)
            continue
        before = snapshot(unit, UNIT_FIELDS)
        moved = (unit.parent_id or None) != (parent.pk if parent else None)
        if moved:
            _move(unit, parent)
            report.moved.append(row.code)
        if not moved and unit.name == row.name and unit.kind == row.kind:
            report.unchanged.append(row.code)
            continue
        unit.name, unit.kind = row.name, row.kind
        unit.save(update_fields=["name", "kind", "parent", "path"])
        if not moved:
            report.updated.append(row.code)
        record_change(
            actor=actor,
            action="unit.changed",
            target=unit,
            organisation=organisation,
            before=before,
            after=snapshot(unit, UNIT_FIELDS),
        )


def _check_employees(organisation: Organisation, rows: list[EmployeeRow]) -> dict[int, list[str]]:
    units = set(
        Unit.objects.filter(organisation=organisation, closed_at__isnull=True).values_list(
            "slug", flat=True
        )
    )
    codes = Counter(row.code for row in rows)  # a count per code: an HR file has thousands
    errors: dict[int, list[str]] = {}
    for index, row in enumerate(rows):
        problems = []
        if not row.code.strip() or len(row.code) > 64:
            problems.append(_("code is empty or longer than 64 characters"))
        if codes[row.code] > 1:
            problems.append(_("code “%(code)s” appears more than once") % {"code": row.code})
        if not row.name.strip():
            problems.append(_("name is empty"))
        if row.unit not in units:
            problems.append(
                _("unit “%(unit)s” is not an open unit of this organisation") % {"unit": row.unit}
            )
        if row.email and ("@" not in row.email or " " in row.email.strip()):
            problems.append(_("e-mail “%(email)s” is not an address") % {"email": row.email})
        if problems:
            errors[index] = problems
    return errors


def upsert_employees(
    *,
    organisation: Organisation,
    rows: list[EmployeeRow],
    actor: Actor = None,
    dry_run: bool = False,
    leave_missing: bool = False,
) -> Report:
    """Create new employees, update or move the ones that exist (one who left and comes back is
    back); with `leave_missing`, everyone not in the rows leaves."""
    report = Report(dry_run=dry_run, errors=_check_employees(organisation, rows))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _write_employees(organisation, rows, actor, report, leave_missing)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _write_employees(
    organisation: Organisation,
    rows: list[EmployeeRow],
    actor: Actor,
    report: Report,
    leave_missing: bool,
) -> None:
    units = {u.slug: u for u in Unit.objects.filter(organisation=organisation)}
    employees = {e.code: e for e in Employee.objects.filter(organisation=organisation)}
    for row in rows:
        unit = units[row.unit]
        employee = employees.get(row.code)
        if employee is None:
            create_employee(
                organisation=organisation,
                unit=unit,
                code=row.code,
                name=row.name.strip(),
                email=row.email.strip(),
                actor=actor,
            )
            report.created.append(row.code)
            continue
        changes = {
            "name": row.name.strip(),
            "email": row.email.strip(),
            "unit_id": unit.pk,
            "left_at": None,
        }
        if all(getattr(employee, key) == value for key, value in changes.items()):
            report.unchanged.append(row.code)
            continue
        before = snapshot(employee, EMPLOYEE_FIELDS)
        (report.moved if employee.unit_id != unit.pk else report.updated).append(row.code)
        for key, value in changes.items():
            setattr(employee, key, value)
        employee.save(update_fields=["name", "email", "unit", "left_at"])
        record_change(
            actor=actor,
            action="employee.changed",
            target=employee,
            organisation=organisation,
            before=before,
            after=snapshot(employee, EMPLOYEE_FIELDS),
        )
    if leave_missing:
        listed = {row.code for row in rows}
        for code, employee in sorted(employees.items()):
            if code not in listed and employee.left_at is None:
                leave(employee=employee, actor=actor)
                report.left.append(code)


@transaction.atomic
def leave(*, employee: Employee, actor: Actor = None) -> Employee:
    """The employee leaves: their answers stay in the statistics; they no longer log in or lead."""
    if employee.left_at is not None:
        return employee
    before = snapshot(employee, EMPLOYEE_FIELDS)
    employee.left_at = timezone.now()
    employee.save(update_fields=["left_at"])
    Unit.objects.filter(lead=employee).update(lead=None)
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=False)
    record_change(
        actor=actor,
        action="employee.left",
        target=employee,
        organisation=employee.organisation,
        before=before,
        after=snapshot(employee, EMPLOYEE_FIELDS),
    )
    return employee


@transaction.atomic
def close_unit(*, unit: Unit, actor: Actor = None) -> Unit:
    """Close a unit: it keeps its history but takes no new employees, children or interactions.

    Refused while employees who have not left still work in it or a unit under it is open: they
    must move (or leave, or close) first, so nobody ends up in a unit no one can choose any more.
    """
    if unit.closed_at is not None:
        return unit
    if unit.employees.filter(left_at__isnull=True).exists():
        raise ClosingRefused(
            _("%(unit)s still has employees: move them to another unit or let them leave first.")
            % {"unit": unit.name}
        )
    if unit.children.filter(closed_at__isnull=True).exists():
        raise ClosingRefused(
            _("%(unit)s still has open units under it: move or close them first.")
            % {"unit": unit.name}
        )
    before = snapshot(unit, UNIT_FIELDS)
    unit.closed_at = timezone.now()
    unit.save(update_fields=["closed_at"])
    record_change(
        actor=actor,
        action="unit.closed",
        target=unit,
        organisation=unit.organisation,
        before=before,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit
