"""Reading interactions from CSV or XLSX files into InteractionInput rows, with an error per bad row."""

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cxloop.customers.models import CustomerContact
from cxloop.journeys.services import InteractionInput, InteractionRejected, record_interactions
from cxloop.orgs.models import Organisation

REQUIRED_COLUMNS = (
    "external_id",
    "occurred_at",
    "customer_key",
    "journey_id",
    "journey_type",
    "channel",
)
OPTIONAL_COLUMNS = (
    "touchpoint",
    "employee",
    "unit",
    "customer_email",
    "customer_phone",
    "customer_language",
    "customer_name",
    "customer_licence_plate",
    "journey_ended",
    "wait_seconds",
)


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing columns, not CSV)."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    item: InteractionInput | None
    errors: list[str]


@dataclass
class ImportOutcome:
    """What an import did: `bad` maps a file line to its errors; `imported` is False when nothing was written."""

    created: int = 0
    seen: int = 0
    bad: dict[int, list[str]] = field(default_factory=dict)
    imported: bool = True


class _Abort(Exception):
    """Rolls the whole import back when a row is bad and bad rows are not to be skipped."""


def import_interactions(
    *, organisation: Organisation, rows: list[ParsedRow], skip_invalid: bool, chunk: int = 500
) -> ImportOutcome:
    """Record the file's rows all-or-nothing (or the good ones with `skip_invalid`), in chunks.

    A row the services refuse (an unknown channel, say) is reported by its line and the rest of its
    chunk is tried again without it, so one call reports every bad row, not only the first.
    """
    outcome = ImportOutcome(bad={row.line: row.errors for row in rows if row.errors})
    good = [row for row in rows if row.item is not None]
    try:
        with transaction.atomic():
            for start in range(0, len(good), chunk):
                _record_chunk(organisation, good[start : start + chunk], outcome)
            if outcome.bad and not skip_invalid:
                raise _Abort
    except _Abort:
        return ImportOutcome(bad=outcome.bad, imported=False)
    return outcome


def _record_chunk(
    organisation: Organisation, pending: list[ParsedRow], outcome: ImportOutcome
) -> None:
    while pending:
        try:
            results = record_interactions(
                organisation=organisation,
                items=[row.item for row in pending if row.item is not None],
                source=CustomerContact.Source.IMPORT,
            )
        except InteractionRejected as rejected:
            for index, errors in rejected.errors.items():
                outcome.bad[pending[index].line] = errors
            pending = [row for i, row in enumerate(pending) if i not in rejected.errors]
            continue
        outcome.created += sum(result.created for result in results)
        outcome.seen += sum(not result.created for result in results)
        return


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("occurred_at needs a time zone, e.g. 2026-11-23T10:15:00+01:00")
    return value


def read_interactions(path: Path) -> Iterator[ParsedRow]:
    """Rows of a .csv or .xlsx file of interactions."""
    if path.suffix.lower() == ".xlsx":
        return read_interactions_xlsx(path)
    return _read_csv_path(path)


def _read_csv_path(path: Path) -> Iterator[ParsedRow]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from read_interactions_csv(handle)


def read_interactions_csv(handle: IO[str]) -> Iterator[ParsedRow]:
    """Yield each data row as an InteractionInput, or with the reasons it cannot be one."""
    sample = handle.read(4096)
    handle.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(handle, dialect=dialect)
    _check_columns(reader.fieldnames or [])
    for row in reader:
        yield _parse_row(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})


def read_interactions_xlsx(path: Path) -> Iterator[ParsedRow]:
    """The first sheet of a workbook: a header row, then one interaction per row."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a file that is no workbook
        raise ImportFileError(
            f"not a readable .xlsx workbook ({error.__class__.__name__})"
        ) from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
    _check_columns(header)
    for line, cells in enumerate(rows, start=2):
        if all(cell is None for cell in cells):
            continue
        yield _parse_row(
            line,
            {name: _cell_text(cell) for name, cell in zip(header, cells, strict=False) if name},
        )
    workbook.close()


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        # Excel date cells carry no zone: read them as Dutch local time, as they were typed.
        if cell.tzinfo is None:
            cell = cell.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return cell.isoformat()
    return str(cell).strip()


def _check_columns(found: Sequence[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(missing)}; found: {', '.join(found)}")


def _parse_row(line: int, values: dict[str, str]) -> ParsedRow:
    errors = [f"{c} is empty" for c in REQUIRED_COLUMNS if not values.get(c)]
    occurred_at = None
    if values.get("occurred_at"):
        try:
            occurred_at = _parse_time(values["occurred_at"])
        except ValueError as error:
            errors.append(f"occurred_at {values['occurred_at']!r}: {error}")
    language = values.get("customer_language", "")
    if language not in {"", "nl", "en"}:
        errors.append(f"customer_language must be nl or en, not {language!r}")
    wait = values.get("wait_seconds", "")
    if wait and not wait.isdigit():
        errors.append(f"wait_seconds must be a whole number of seconds, not {wait!r}")
    if errors or occurred_at is None:
        return ParsedRow(line, None, errors)
    item = InteractionInput(
        external_id=values["external_id"],
        occurred_at=occurred_at,
        customer_key=values["customer_key"],
        journey_id=values["journey_id"],
        journey_type=values["journey_type"],
        channel=values["channel"],
        touchpoint=values.get("touchpoint") or None,
        employee=values.get("employee") or None,
        unit=values.get("unit") or None,
        customer_email=values.get("customer_email", ""),
        customer_phone=values.get("customer_phone", ""),
        customer_language=language,
        customer_name=values.get("customer_name", "")[:200],
        customer_licence_plate=values.get("customer_licence_plate", "")[:16],
        journey_ended=values.get("journey_ended", "").lower() in {"1", "true", "yes", "ja"},
        wait_seconds=int(wait) if wait else None,
    )
    return ParsedRow(line, item, [])
