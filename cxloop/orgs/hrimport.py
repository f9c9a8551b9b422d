"""The HR import: a CSV or XLSX file of units and/or employees, read into structure rows.

A table is recognised by its header: one with a unit column holds employees (code, name, unit,
email), one without holds units (code, name, parent, kind). Headers may be Dutch or English. A CSV
file holds one table; an XLSX workbook one per sheet (units are written before employees, so
employees may be placed in units the same file creates). Every problem is reported by the row
number as the file shows it (the header is row 1); a file with any problem is not written at all.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxloop.audit.services import Actor
from cxloop.orgs import structure
from cxloop.orgs.models import Organisation, Unit

# Header names accepted per column, lower-case; the first is the documented English one.
UNIT_COLUMNS = {
    "code": ("code", "eenheidcode", "id"),
    "name": ("name", "naam", "omschrijving"),
    "parent": ("parent", "bovenliggend", "bovenliggende", "ouder", "valt onder"),
    "kind": ("kind", "soort", "type"),
}
EMPLOYEE_COLUMNS = {
    "code": ("code", "personeelsnummer", "nummer", "employee number"),
    "name": ("name", "naam"),
    "unit": ("unit", "eenheid", "afdeling", "team"),
    "email": ("email", "e-mail", "e-mailadres", "emailadres", "mail"),
}
# A unit's kind in Dutch or English.
KINDS = {
    "": Unit.Kind.TEAM,
    "team": Unit.Kind.TEAM,
    "department": Unit.Kind.DEPARTMENT,
    "afdeling": Unit.Kind.DEPARTMENT,
    "division": Unit.Kind.DIVISION,
    "divisie": Unit.Kind.DIVISION,
}
UNITS, EMPLOYEES = "units", "employees"
TABLE_NAMES = {UNITS: gettext_lazy("units"), EMPLOYEES: gettext_lazy("employees")}


class UnreadableFile(ValueError):
    """The file is no CSV or XLSX, or has no table cxloop recognises."""


@dataclass
class Table:
    """One table of the file: its rows as dicts by column and the file's row number of each."""

    kind: str  # UNITS or EMPLOYEES
    rows: list[dict[str, str]]
    numbers: list[int]


@dataclass
class Outcome:
    """What an import did or, in a dry run, would do; problems as (table, row number, text)."""

    units: structure.Report | None = None
    employees: structure.Report | None = None
    problems: list[tuple[str, int, str]] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an employee number typed as a number in a spreadsheet
    return str(value).strip()


def _grids(content: bytes, filename: str) -> list[list[list[str]]]:
    """The file's tables as grids of text: one for a CSV, one per sheet of an XLSX."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # only the import needs it

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise UnreadableFile(_("This is not a readable XLSX file.")) from error
        return [
            [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's CSV on Dutch Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]]


def _columns(header: list[str], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        for column, aliases in names.items():
            if title.strip().lower() in aliases and column not in found:
                found[column] = index
    return found


def read_tables(content: bytes, filename: str) -> list[Table]:
    """The units and employees tables in the file, in the order they are written."""
    tables: dict[str, Table] = {}
    for grid in _grids(content, filename):
        if not grid or not any(grid[0]):
            continue
        header = grid[0]
        employees = _columns(header, EMPLOYEE_COLUMNS)
        kind, columns = (
            (EMPLOYEES, employees)
            if "unit" in employees
            else (UNITS, _columns(header, UNIT_COLUMNS))
        )
        if "code" not in columns or "name" not in columns:
            raise UnreadableFile(
                _(
                    "The header row needs at least the columns code and name (and unit for employees); "
                    "it has: %(header)s"
                )
                % {"header": ", ".join(h for h in header if h)}
            )
        if kind in tables:
            raise UnreadableFile(
                _("The file holds more than one table of %(kind)s.") % {"kind": TABLE_NAMES[kind]}
            )
        table = Table(kind, [], [])
        for number, row in enumerate(grid[1:], start=2):
            if not any(row):
                continue  # blank lines between blocks are no rows
            cells = {
                column: row[index] if index < len(row) else "" for column, index in columns.items()
            }
            table.rows.append(cells)
            table.numbers.append(number)
        tables[kind] = table
    if not tables:
        raise UnreadableFile(_("The file holds no rows."))
    return [tables[kind] for kind in (UNITS, EMPLOYEES) if kind in tables]


def _unit_rows(table: Table, problems: list) -> list[structure.UnitRow]:
    rows = []
    for cells, number in zip(table.rows, table.numbers, strict=True):
        kind = KINDS.get(cells.get("kind", "").lower())
        if kind is None:
            problems.append(
                (
                    UNITS,
                    number,
                    _("kind “%(kind)s” is not team, department or division")
                    % {"kind": cells["kind"]},
                )
            )
            kind = Unit.Kind.TEAM
        rows.append(structure.UnitRow(cells["code"], cells["name"], cells.get("parent", ""), kind))
    return rows


def _employee_rows(table: Table) -> list[structure.EmployeeRow]:
    return [
        structure.EmployeeRow(cells["code"], cells["name"], cells["unit"], cells.get("email", ""))
        for cells in table.rows
    ]


class _RollBack(Exception):
    """Raised inside the import's transaction to undo a dry run or a refused file."""


def import_structure(
    *,
    organisation: Organisation,
    tables: list[Table],
    actor: Actor = None,
    dry_run: bool = True,
    leave_missing: bool = False,
) -> Outcome:
    """Upsert the file's units, then its employees, all or nothing; a dry run writes nothing.

    Both run for real inside one transaction that a dry run (or any bad row) rolls back, so a dry
    run sees the units the file creates when it checks the employees placed in them.
    """
    outcome = Outcome(dry_run=dry_run)
    by_kind = {table.kind: table for table in tables}
    try:
        with transaction.atomic():
            if UNITS in by_kind:
                table = by_kind[UNITS]
                rows = _unit_rows(table, outcome.problems)
                outcome.units = structure.upsert_units(
                    organisation=organisation, rows=rows, actor=actor
                )
                _collect(outcome, UNITS, table, outcome.units)
            if EMPLOYEES in by_kind and not outcome.problems:
                table = by_kind[EMPLOYEES]
                outcome.employees = structure.upsert_employees(
                    organisation=organisation,
                    rows=_employee_rows(table),
                    actor=actor,
                    leave_missing=leave_missing,
                )
                _collect(outcome, EMPLOYEES, table, outcome.employees)
            if dry_run or outcome.problems:
                raise _RollBack
    except _RollBack:
        pass
    for report in (outcome.units, outcome.employees):
        if report is not None:
            report.dry_run = dry_run
    return outcome


def _collect(outcome: Outcome, kind: str, table: Table, report: structure.Report) -> None:
    for index, texts in sorted(report.errors.items()):
        number = table.numbers[index] if index < len(table.numbers) else table.numbers[0]
        outcome.problems += [(kind, number, text) for text in texts]
