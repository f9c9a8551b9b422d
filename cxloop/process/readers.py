"""Streaming readers of event logs: XES (plain or gzipped) and CSV, one event at a time.

Neither reader holds the log: XES is parsed with lxml's iterparse and each trace is cleared
once its events are handed on; CSV is read row by row. A row that cannot be an event (no
case id, an unreadable timestamp) is reported with its line number instead of stopping the read.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

Event = tuple[
    str, str, int, str | None, str | None
]  # case, activity, µs since epoch (UTC), resource, organisation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)
ONE_MICROSECOND = timedelta(microseconds=1)
MAX_REPORTED_BAD_ROWS = 1000
SEPARATORS = (",", ";", "\t", "|")
TRACE_PREFIX = "case:"  # PM4Py's name for a trace attribute seen from an event


class LogFormatError(Exception):
    """The file as a whole cannot be read as an event log (not XES, missing columns, ...)."""


@dataclass(frozen=True)
class Columns:
    """Which attribute or column holds what; defaults are the XES names PM4Py uses."""

    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"
    resource: str | None = "org:resource"
    organisation: str | None = None
    separator: str | None = None  # CSV only; detected from the header when None
    timestamp_format: str | None = None  # CSV only; strftime format, ISO 8601 when None


@dataclass(frozen=True)
class BadRow:
    """A line of the file that is not an event, and why."""

    line: int
    reason: str


@dataclass
class ReadReport:
    """What a read found: events, bad rows (the first 1000 kept) and how far it has got."""

    events: int = 0
    bad_count: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bytes_read: int = 0
    bytes_total: int = 0

    def bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < MAX_REPORTED_BAD_ROWS:
            self.bad_rows.append(BadRow(line, reason))

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_read / self.bytes_total) if self.bytes_total else 0.0


def detect_format(name: str) -> str:
    """'xes' or 'csv' from a file name (.xes, .xes.gz, .csv, .csv.gz, .txt)."""
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(".xes"):
        return "xes"
    if lowered.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    raise LogFormatError(
        f"{name}: not an event log this reader knows (.xes, .xes.gz, .csv, .csv.gz)"
    )


def read_events(
    path: Path, columns: Columns, report: ReadReport, *, name: str | None = None
) -> Iterator[Event]:
    """Every good event of an XES or CSV file, in file order; bad rows go to `report`."""
    kind = detect_format(name or path.name)
    report.bytes_total = path.stat().st_size
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore[assignment]
        if kind == "xes":
            yield from _read_xes(stream, raw, columns, report)
        else:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            yield from _read_csv(text, raw, columns, report)
        report.bytes_read = report.bytes_total


# --- timestamps ---------------------------------------------------------------------------------


def iso_to_micros(text: str) -> int:
    """Microseconds since the epoch of an ISO 8601 timestamp; one without a zone is UTC."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return (value - NAIVE_EPOCH) // ONE_MICROSECOND
    return (value - EPOCH) // ONE_MICROSECOND


def formatted_to_micros(text: str, timestamp_format: str) -> int:
    """Microseconds since the epoch of a timestamp in a strftime format; one without a zone is UTC."""
    value = datetime.strptime(text, timestamp_format)
    if value.tzinfo is None:
        return (value - NAIVE_EPOCH) // ONE_MICROSECOND
    return (value - EPOCH) // ONE_MICROSECOND


def micros_to_datetime(micros: int) -> datetime:
    """The aware UTC datetime of microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros)


# --- CSV ----------------------------------------------------------------------------------------


def detect_separator(header: str) -> str:
    """The most frequent of , ; tab | in the header line (a comma when none occurs)."""
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(
    text: IO[str], raw: BinaryIO, columns: Columns, report: ReadReport
) -> Iterator[Event]:
    header_line = text.readline()
    if not header_line.strip():
        raise LogFormatError("the file is empty")
    separator = columns.separator or detect_separator(header_line)
    header = next(csv.reader([header_line], delimiter=separator))
    case_at, activity_at, time_at = (
        _column(header, name) for name in (columns.case, columns.activity, columns.timestamp)
    )
    resource_at = _optional_column(header, columns.resource, "resource", report)
    organisation_at = _optional_column(header, columns.organisation, "organisation", report)
    width = (
        max(
            i
            for i in (case_at, activity_at, time_at, resource_at, organisation_at)
            if i is not None
        )
        + 1
    )
    parse = _timestamp_parser(columns.timestamp_format)
    expected = columns.timestamp_format or "ISO 8601"
    reader = csv.reader(text, delimiter=separator)
    for number, row in enumerate(reader):
        if len(row) < width:
            if row:  # a blank line is no row at all
                report.bad(reader.line_num + 1, f"{len(row)} cells where {width} are needed")
            continue
        case, activity, moment = row[case_at], row[activity_at], row[time_at]
        if not case or not activity:
            report.bad(
                reader.line_num + 1, "the case id is empty" if not case else "the activity is empty"
            )
            continue
        try:
            micros = parse(moment)
        except ValueError:
            report.bad(reader.line_num + 1, f"timestamp {moment!r} is not {expected}")
            continue
        resource = row[resource_at] or None if resource_at is not None else None
        organisation = row[organisation_at] or None if organisation_at is not None else None
        report.events += 1
        if not number & 0x3FFF:
            report.bytes_read = raw.tell()
        yield case, activity, micros, resource, organisation


def _column(header: list[str], name: str) -> int:
    try:
        return header.index(name)
    except ValueError:
        raise LogFormatError(f"no column {name!r}; the columns are: {', '.join(header)}") from None


def _optional_column(
    header: list[str], name: str | None, role: str, report: ReadReport
) -> int | None:
    if name is None:
        return None
    if name not in header:
        report.warnings.append(f"no {role} column {name!r}: the events have no {role}")
        return None
    return header.index(name)


def _timestamp_parser(timestamp_format: str | None) -> Callable[[str], int]:
    if timestamp_format is None:
        return iso_to_micros
    return lambda text: formatted_to_micros(text, timestamp_format)


# --- XES ----------------------------------------------------------------------------------------


def _read_xes(
    stream: BinaryIO, raw: BinaryIO, columns: Columns, report: ReadReport
) -> Iterator[Event]:
    from lxml import etree

    case_key, case_on_trace = _xes_key(columns.case)
    wanted = {columns.activity: 0, columns.timestamp: 1}
    if columns.resource:
        wanted[columns.resource] = 2
    if columns.organisation:
        wanted[columns.organisation] = 3
    # No entities and no network: an uploaded file must not make the server read other files.
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=("{*}trace", "trace"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        for _, trace in parser:
            yield from _trace_events(trace, case_key, case_on_trace, wanted, columns, report)
            report.bytes_read = raw.tell()
            # Drop the finished trace and the empty ones before it, so memory stays one trace deep.
            trace.clear(keep_tail=False)
            parent = trace.getparent()
            while trace.getprevious() is not None and parent is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise LogFormatError(f"not well-formed XML: {error}") from None


def _xes_key(case_column: str) -> tuple[str, bool]:
    if case_column.startswith(TRACE_PREFIX):
        return case_column[len(TRACE_PREFIX) :], True
    return case_column, False


def _trace_events(
    trace: Any,
    case_key: str,
    case_on_trace: bool,
    wanted: dict[str, int],
    columns: Columns,
    report: ReadReport,
) -> Iterator[Event]:
    case: str | None = None
    events: list[Any] = []
    for child in trace:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment
        if tag.endswith("event"):
            events.append(child)
        elif case_on_trace and child.get("key") == case_key:
            case = child.get("value")
    if case_on_trace and case is None:
        for event in events:
            report.bad(event.sourceline or 0, f"an event in a trace without {case_key!r}")
        return
    for event in events:
        values: list[str | None] = [None, None, None, None]
        for attribute in event:
            position = wanted.get(attribute.get("key"))
            if position is not None:
                values[position] = attribute.get("value")
        activity, moment, resource, organisation = values
        event_case = case
        if not case_on_trace:
            event_case = next((a.get("value") for a in event if a.get("key") == case_key), None)
        if event_case is None or activity is None or moment is None:
            missing = (
                case_key
                if event_case is None
                else columns.activity
                if activity is None
                else columns.timestamp
            )
            report.bad(event.sourceline or 0, f"an event without {missing!r}")
            continue
        try:
            micros = iso_to_micros(moment)
        except ValueError:
            report.bad(event.sourceline or 0, f"timestamp {moment!r} is not ISO 8601")
            continue
        report.events += 1
        yield event_case, activity, micros, resource, organisation
