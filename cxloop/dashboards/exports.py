"""CSV and XLSX downloads of a dashboard's tables: the same cells the page shows, so the same access
and anonymity rules hold (a hidden score is an empty cell with its n and a note; docs/anonymity.md).

`?format=csv&table=units` on any dashboard page returns that table. Text that a spreadsheet would
run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with a quote: the
verbatims are written by customers.
"""

import csv
import io
import re
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from cxloop.audit.services import record_view
from cxloop.dashboards.tables import Table, anonymity_min, flat_header, flat_rows, precision_floor
from cxloop.orgs.models import Organisation

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Tables of what customers wrote, or of named employees' scores: exporting one is audited (as is
# every table of one employee's page, which is all about that person).
PERSONAL_TABLES = frozenset({"verbatims", "compliments", "members", "outliers"})


def requested(request: HttpRequest) -> bool:
    return request.GET.get("format") in FORMATS


def respond(
    request: HttpRequest, tables: dict[str, Table], *, name: str, about: list[tuple[str, str]]
) -> HttpResponse:
    """The table named by ?table= in the format named by ?format=; 404 for a table the page does not have."""
    table = tables.get(request.GET.get("table", ""))
    if table is None:
        raise Http404
    filename = f"{_slug(name)}-{table.key}-{date.today().isoformat()}"
    if request.GET["format"] == "xlsx":
        response = HttpResponse(to_xlsx(table, about=about), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    else:
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def safe(value: object) -> object:
    """A cell as data, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(flat_header(table))
    for row in flat_rows(table):
        writer.writerow(["" if cell is None else safe(cell) for cell in row])
    return out.getvalue()


def to_xlsx(table: Table, *, about: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.key[:31]
    sheet.append(flat_header(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in flat_rows(table):
        sheet.append([safe(cell) for cell in row])
    sheet.freeze_panes = "A2"
    info = workbook.create_sheet("about")
    info.append(["table", str(table.title)])
    for key, value in about:
        info.append([key, value])
    info.append(
        [
            "anonymity minimum",
            f"scores of fewer than {anonymity_min()} answers are left empty, and so are larger "
            "ones that would give such a score away; units and employees are left empty under "
            "filters (docs/anonymity.md)",
        ]
    )
    info.append(
        ["precision floor", f"scores of fewer than {precision_floor()} answers are imprecise"]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dashboard"


def record_export(request: HttpRequest, tables: dict[str, Table], context: dict) -> None:
    """Write the audit entry of an export of personal data; other tables are not personal data."""
    key = request.GET.get("table", "")
    employee = context.get("employee")
    if key not in tables or (key not in PERSONAL_TABLES and employee is None):
        return
    subject = employee or context.get("unit") or context.get("organisation")
    if subject is None:  # a chain or journey page: the journey type's owner answers for it
        view = context.get("view")
        subject = view.journey_type if view is not None else context["chain"]
    if isinstance(subject, Organisation):
        organisation = subject
    else:
        organisation = getattr(subject, "organisation", None) or getattr(subject, "owner", None)
    record_view(
        actor=request.user,
        action="dashboard.exported",
        target=subject,
        organisation=organisation,
        export=True,
        detail=f"table {key} as {request.GET.get('format')}",
    )
