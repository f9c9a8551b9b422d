"""Reading interactions from a CSV file into InteractionInput rows, with an error per bad row."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from cxloop.journeys.services import InteractionInput

REQUIRED_COLUMNS = ("external_id", "occurred_at", "customer_key", "journey_id", "journey_type", "channel")
OPTIONAL_COLUMNS = (
    "touchpoint",
    "employee",
    "unit",
    "customer_email",
    "customer_phone",
    "customer_language",
    "journey_ended",
)


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing columns, not CSV)."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    item: InteractionInput | None
    errors: list[str]


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("occurred_at needs a time zone, e.g. 2026-11-23T10:15:00+01:00")
    return value


def read_interactions_csv(handle: IO[str]) -> Iterator[ParsedRow]:
    """Yield each data row as an InteractionInput, or with the reasons it cannot be one."""
    sample = handle.read(4096)
    handle.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(handle, dialect=dialect)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(missing)}; found: {', '.join(reader.fieldnames or [])}")
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
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
        if errors or occurred_at is None:
            yield ParsedRow(line, None, errors)
            continue
        yield ParsedRow(
            line,
            InteractionInput(
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
                journey_ended=values.get("journey_ended", "").lower() in {"1", "true", "yes", "ja"},
            ),
            [],
        )
