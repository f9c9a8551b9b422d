"""Readers of event logs: XES (plain or gzipped) and CSV, one event at a time or all as columns.

`read_events` gives an `EventStream`. Iterated, it streams one event at a time and holds no log:
XES is parsed with lxml's iterparse and each trace is cleared once its events are handed on;
CSV is read row by row. A row that cannot be an event (no case id, an unreadable timestamp) is
reported with its line number instead of stopping the read.

Taken whole (`EventStream.tables()`, which `mining.EventTableBuilder.extend` uses), a CSV file
is read by pyarrow's compiled CSV reader, a block at a time, straight into the integer codes
`mining` works on, and its timestamps are parsed by numpy a column at a time; a value that none
of the fixed shapes fits goes to the same Python parser as the streaming read. That read gives
the same events, and it steps aside for the streaming read of the whole file whenever anything
is odd (pyarrow missing, a bad row to report with its line number, a row whose cells pyarrow
counts differently), so that the result never depends on which read ran.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from cxloop.process.mining import NO_VALUE, EventTable, IntArray, table_from_events

Event = tuple[
    str, str, int, str | None, str | None
]  # case, activity, µs since epoch (UTC), resource, organisation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)
ONE_MICROSECOND = timedelta(microseconds=1)
MAX_REPORTED_BAD_ROWS = 1000
logger = logging.getLogger(__name__)
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
    # Why a CSV file was read row by row rather than as columns (slower, the same events); "" if not.
    read_by_rows: str = ""

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
    path: Path,
    columns: Columns,
    report: ReadReport,
    *,
    name: str | None = None,
    progress: Callable[[ReadReport], None] | None = None,
) -> EventStream:
    """Every good event of an XES or CSV file, in file order; bad rows go to `report`.

    Nothing is read until the stream is iterated (or its `tables()` taken), so a file that is
    not an event log raises `LogFormatError` there. `progress`, if given, is called with the
    report now and then while the file is read.
    """
    return EventStream(path, columns, report, name=name, progress=progress)


PROGRESS_EVERY = 1 << 16  # events between two calls of a stream's `progress`


class EventStream:
    """The good events of a log file: an iterator of `Event` tuples, or columns via `tables()`."""

    def __init__(
        self,
        path: Path,
        columns: Columns,
        report: ReadReport,
        *,
        name: str | None = None,
        progress: Callable[[ReadReport], None] | None = None,
    ) -> None:
        self.path, self.columns, self.report, self.name = path, columns, report, name
        self.progress = progress
        self._events: Iterator[Event] | None = None

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        if self._events is None:
            self._events = self._stream()
        return next(self._events)

    def tables(self) -> Iterator[EventTable]:
        """The events as `mining.EventTable` blocks, in file order (what `extend` takes).

        A CSV file is read whole by the columnar reader when it can; otherwise (XES, no pyarrow,
        anything odd) the events are streamed as when iterating. Events already taken by
        iterating are not given again.
        """
        if self._events is None and detect_format(self.name or self.path.name) == "csv":
            table = _read_csv_columns(self.path, self.columns, self.report, self.progress)
            if table is not None:
                self._events = iter(())
                yield table
                return
        if self._events is None:
            self._events = self._stream()
        yield table_from_events(self._events)

    def _stream(self) -> Iterator[Event]:
        path, columns, report = self.path, self.columns, self.report
        kind = detect_format(self.name or path.name)
        report.bytes_total = path.stat().st_size
        with path.open("rb") as raw:
            gzipped = _is_gzipped(raw)
            stream: BinaryIO = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore[assignment]  # GzipFile reads bytes like BinaryIO; typeshed types it apart
            if kind == "xes":
                events = _read_xes(stream, raw, columns, report)
            else:
                text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
                header = _csv_header(text.readline(), columns, report)
                events = _read_csv(text, raw, header, columns, report)
            if self.progress is None:
                yield from events
            else:
                yield from _with_progress(events, report, self.progress)
            report.bytes_read = report.bytes_total
        if self.progress is not None:
            self.progress(report)


def _with_progress(
    events: Iterator[Event], report: ReadReport, progress: Callable[[ReadReport], None]
) -> Iterator[Event]:
    for number, event in enumerate(events, start=1):
        if not number % PROGRESS_EVERY:
            progress(report)
        yield event


def _is_gzipped(raw: BinaryIO) -> bool:
    gzipped = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    return gzipped


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


@dataclass(frozen=True)
class _CsvHeader:
    """The header of a CSV file: its separator, its cells and where each role's column is."""

    separator: str
    cells: list[str]
    case: int
    activity: int
    timestamp: int
    resource: int | None
    organisation: int | None

    @property
    def width(self) -> int:
        """How many cells a row needs to have every role's column."""
        roles = (self.case, self.activity, self.timestamp, self.resource, self.organisation)
        return max(i for i in roles if i is not None) + 1


def _csv_header(header_line: str, columns: Columns, report: ReadReport) -> _CsvHeader:
    if not header_line.strip():
        raise LogFormatError("the file is empty")
    separator = columns.separator or detect_separator(header_line)
    cells = next(csv.reader([header_line], delimiter=separator))
    case_at, activity_at, time_at = (
        _column(cells, name) for name in (columns.case, columns.activity, columns.timestamp)
    )
    return _CsvHeader(
        separator=separator,
        cells=cells,
        case=case_at,
        activity=activity_at,
        timestamp=time_at,
        resource=_optional_column(cells, columns.resource, "resource", report),
        organisation=_optional_column(cells, columns.organisation, "organisation", report),
    )


def _read_csv(
    text: IO[str], raw: BinaryIO, header: _CsvHeader, columns: Columns, report: ReadReport
) -> Iterator[Event]:
    case_at, activity_at, time_at = header.case, header.activity, header.timestamp
    resource_at, organisation_at, width = header.resource, header.organisation, header.width
    parse = _timestamp_parser(columns.timestamp_format)
    expected = columns.timestamp_format or "ISO 8601"
    reader = csv.reader(text, delimiter=header.separator)
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


# --- CSV as columns (pyarrow) -------------------------------------------------------------------


def _read_csv_columns(
    path: Path,
    columns: Columns,
    report: ReadReport,
    progress: Callable[[ReadReport], None] | None = None,
) -> EventTable | None:
    """The whole CSV file as one event table, or None where the streaming read must do it.

    None (and `report` as it was) when pyarrow is not installed or when anything is odd: a bad
    row (which the streaming read reports with its line number), a row with another number of
    cells than the header, bytes that are not UTF-8, a separator pyarrow cannot use. pyarrow
    reads the file a block at a time; each block's columns become codes and timestamps at
    once, so that only the codes are held.
    """
    events, bytes_read = report.events, report.bytes_read
    table = _csv_columns(path, columns, report, progress)
    if isinstance(table, _StepAside):
        report.events, report.bytes_read = events, bytes_read
        report.read_by_rows = table.reason
        # Only the speed differs, so the log gets no warning; whoever runs it can see why it was
        # slow. pyarrow is a dependency: its absence is a broken install, worth a warning.
        level = logging.WARNING if table is _NO_PYARROW else logging.INFO
        logger.log(level, "%s is read row by row: %s", path.name, table.reason)
        return None
    return table


@dataclass(frozen=True)
class _StepAside:
    """The columnar read leaves the file to the row-by-row read, which gives the same events."""

    reason: str


_NO_PYARROW = _StepAside("pyarrow is not installed")


def _csv_columns(
    path: Path,
    columns: Columns,
    report: ReadReport,
    progress: Callable[[ReadReport], None] | None,
) -> EventTable | _StepAside:
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        return _NO_PYARROW
    local = ReadReport(bytes_total=path.stat().st_size)
    with path.open("rb") as raw:
        gzipped = _is_gzipped(raw)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore[assignment]  # GzipFile reads bytes like BinaryIO; typeshed types it apart
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        header_line = text.readline()
        text.detach()  # else closing the wrapper closes the file
        header = _csv_header(header_line, columns, local)
        sep = header.separator
        if len(sep) != 1 or not sep.isascii() or sep in '"\r\n' or header_line.count('"') % 2:
            return _StepAside("a separator pyarrow cannot take, or a header over two lines")
        if header.timestamp in (header.case, header.activity, header.resource, header.organisation):
            # pyarrow reads a column as one type: codes or timestamps, not both.
            return _StepAside("the timestamp column is also the case, activity or resource")
        raw.seek(0)
        source = gzip.GzipFile(fileobj=raw) if gzipped else raw
        names = [f"c{i}" for i in range(len(header.cells))]
        coded = {
            role: (names[at], _CodedColumn(empty_is_none=role in ("resource", "organisation")))
            for role, at in (
                ("case", header.case),
                ("activity", header.activity),
                ("resource", header.resource),
                ("organisation", header.organisation),
            )
            if at is not None
        }
        moment_name, moments = names[header.timestamp], _TimestampColumn(columns.timestamp_format)
        types = {name: pa.dictionary(pa.int32(), pa.string()) for name, _ in coded.values()}
        types[moment_name] = pa.string()
        try:
            reader = pa_csv.open_csv(
                source,
                read_options=pa_csv.ReadOptions(
                    column_names=names, skip_rows=1, block_size=_BLOCK_BYTES
                ),
                # As Python's csv module: "" quotes, doubled inside; a newline may be quoted.
                parse_options=pa_csv.ParseOptions(
                    delimiter=sep,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=True,
                    ignore_empty_lines=True,
                ),
                # Every cell a string: "NA" is a case and an empty cell is "", never a null.
                convert_options=pa_csv.ConvertOptions(
                    column_types=types,
                    include_columns=list(types),
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=True,
                ),
                # malloc rather than pyarrow's mimalloc, which keeps what it freed.
                memory_pool=pa.system_memory_pool(),
            )
            before, events = report.events, 0
            for batch in reader:
                events += batch.num_rows
                report.events = before + events
                for name, column in coded.values():
                    column.add(batch.column(name))
                if not moments.add(batch.column(moment_name)):
                    # The row-by-row read reports the bad row with its line number.
                    return _StepAside("a timestamp that cannot be read")
                report.bytes_read = raw.tell()
                if progress is not None:
                    progress(report)
            found = {role: column.result(events) for role, (_, column) in coded.items()}
        except (pa.ArrowException, OSError, EOFError, ValueError) as error:
            # A row with more or fewer cells than the header, bytes that are not UTF-8, a cut-off
            # gzip stream: the row-by-row read reports the row or raises the error itself.
            return _StepAside(f"pyarrow could not read it ({type(error).__name__})")

    def codes_of(role: str) -> tuple[IntArray, list[str]] | None:
        if role not in found:
            return np.full(events, NO_VALUE, dtype=np.int64), []
        return found[role]

    case, activity, resource, organisation = (
        codes_of(role) for role in ("case", "activity", "resource", "organisation")
    )
    if case is None or activity is None or resource is None or organisation is None:
        # The row-by-row read reports the bad row with its line number.
        return _StepAside("an empty case id or activity")
    report.warnings += local.warnings
    report.bytes_total = report.bytes_read = local.bytes_total
    if progress is not None:
        progress(report)
    return EventTable(
        case=case[0],
        activity=activity[0],
        timestamp=moments.result(),
        resource=resource[0],
        organisation=organisation[0],
        case_names=case[1],
        activity_names=activity[1],
        resource_names=resource[1],
        organisation_names=organisation[1],
    )


_BLOCK_BYTES = 1 << 19  # what pyarrow reads at a time: small blocks keep the peak memory low


class _CodedColumn:
    """A dictionary-encoded column, a block at a time, as integer codes into one list of names."""

    def __init__(self, *, empty_is_none: bool) -> None:
        self.empty_is_none = empty_is_none
        self.blocks: list[Any] = []  # each block's DictionaryArray: its indices and own dictionary

    def add(self, array: Any) -> None:
        self.blocks.append(array)

    def result(self, events: int) -> tuple[IntArray, list[str]] | None:
        """Codes and names (numbered as they first occur), or None for an empty cell that may not be."""
        if not events:
            return np.zeros(0, dtype=np.int64), []
        import pyarrow as pa

        # pyarrow merges the blocks' dictionaries (in order of first occurrence) and renumbers.
        blocks = pa.chunked_array(self.blocks).unify_dictionaries(pa.system_memory_pool()).chunks
        self.blocks = []
        names: list[str] = blocks[0].dictionary.to_pylist()
        codes = np.concatenate([_int32s(block.indices) for block in blocks], dtype=np.int64)
        if "" in names:
            if not self.empty_is_none:
                return None  # an empty case id or activity: a bad row
            empty = names.index("")
            recode = np.arange(len(names), dtype=np.int64)
            recode[empty] = NO_VALUE
            recode[empty + 1 :] -= 1
            del names[empty]
            codes = recode[codes]
        return codes, names


def _int32s(array: Any) -> npt.NDArray[np.int32]:
    """The values of a pyarrow int32 array without nulls, shared, not copied.

    (Not `to_numpy()`, which imports pandas where it is installed: half a second.)
    """
    return np.frombuffer(
        array.buffers()[1], dtype=np.int32, count=len(array), offset=array.offset * 4
    )


ByteMatrix = npt.NDArray[np.uint8]

_DIGITS = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}
_DEFAULTS = {"Y": 1900, "m": 1, "d": 1, "H": 0, "M": 0, "S": 0, "f": 0}  # as strptime's
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
# What fromisoformat takes (and more).
_ZONES_ISO: tuple[str, ...] = ("", "Z", "+HH", "+HHMM", "+HH:MM")
_ZONES_STRPTIME: tuple[str, ...] = ("Z", "+HHMM", "+HH:MM")  # what strptime's %z takes (and more)
_MAX_LAYOUTS = 256


@dataclass(frozen=True)
class _Layout:
    """One fixed-width shape of a timestamp: which byte holds which digit or literal."""

    length: int
    literals: tuple[tuple[int, int], ...]  # (position, byte)
    fields: tuple[tuple[str, int, int], ...]  # (Y m d H M S f, position, width)
    zone: tuple[str, int] | None  # (Z, +HH, +HHMM or +HH:MM, position)

    def parse(self, text: ByteMatrix) -> tuple[npt.NDArray[np.bool_], IntArray]:
        """Which values have this shape, and their µs (UTC).

        `text` holds the values' bytes transposed: row p is byte p of every value, so that each
        step below is one pass over contiguous memory.
        """
        ok = np.ones(text.shape[1], dtype=bool)
        for position, byte in self.literals:
            ok &= text[position] == byte
        value: dict[str, Any] = dict(_DEFAULTS)
        for name, position, width in self.fields:
            number = _number(text, position, width, ok)
            value[name] = number * 10 ** (6 - width) if name == "f" else number
        year, month, day, hour, minute, second = (value[k] for k in "YmdHMS")
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        month_ok = (month >= 1) & (month <= 12)
        month_days = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
        ok &= (year >= 1) & month_ok & (day >= 1) & (day <= month_days)
        ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
        offset: Any = 0
        if self.zone is not None and self.zone[0] != "Z":
            kind, position = self.zone
            sign = text[position]
            ok &= (sign == ord("+")) | (sign == ord("-"))
            hours = _number(text, position + 1, 2, ok)
            minutes: Any = 0
            if kind == "+HH:MM":
                ok &= text[position + 3] == ord(":")
                minutes = _number(text, position + 4, 2, ok)
            elif kind == "+HHMM":
                minutes = _number(text, position + 3, 2, ok)
            ok &= (hours <= 23) & (minutes <= 59)
            offset = np.where(sign == ord("-"), -60_000_000, 60_000_000) * (hours * 60 + minutes)
        days = _days_since_epoch(np.asarray(year, dtype=np.int64), month, day)
        seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
        micros = seconds * 1_000_000 + value["f"] - offset
        return ok, np.broadcast_to(np.asarray(micros, dtype=np.int64), ok.shape)


def _number(
    text: ByteMatrix, position: int, width: int, ok: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int32]:
    """The decimal number in bytes position..position+width of each value; `ok` false where not."""
    number = np.zeros(text.shape[1], dtype=np.int32)
    for row in text[position : position + width]:
        digit = row - np.uint8(48)  # wraps round below "0", so one comparison checks both ends
        ok &= digit <= 9
        number *= 10
        number += digit
    return number


def _days_since_epoch(year: Any, month: Any, day: Any) -> Any:
    """Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil)."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


Token = tuple[str, str]  # ("%", directive letter) or ("literal", text)


def _layouts(timestamp_format: str | None) -> dict[int, list[_Layout]]:
    """The fixed-width shapes the vectorised parser reads, by length in bytes.

    Each is a shape the Python parser (`fromisoformat`, or `strptime` with the format) reads the
    same way; anything else is left to it. A format with other directives has no shapes.
    """
    if timestamp_format is None:
        date: list[Token] = [("%", "Y"), ("literal", "-"), ("%", "m"), ("literal", "-"), ("%", "d")]
        time: list[Token] = [("%", "H"), ("literal", ":"), ("%", "M"), ("literal", ":"), ("%", "S")]
        fractions: list[list[Token]] = [[], [("literal", "."), ("%", "f")]]
        sequences = [date] + [
            [*date, ("literal", separator), *time, *fraction, ("%", "z")]
            for separator in ("T", " ")
            for fraction in fractions
        ]
        zones = _ZONES_ISO
    else:
        tokens = _format_tokens(timestamp_format)
        if tokens is None:
            return {}
        sequences, zones = [tokens], _ZONES_STRPTIME
    shapes: list[list[tuple[str, Any]]] = []
    for sequence in sequences:
        expanded: list[list[tuple[str, Any]]] = [[]]
        for kind, text in sequence:
            if kind == "literal":
                choices: list[tuple[str, Any]] = [("literal", text)]
            elif text == "f":
                choices = [("f", width) for width in range(1, 7)]
            elif text == "z":
                choices = [("z", zone) for zone in zones]
            else:
                choices = [(text, _DIGITS[text])]
            expanded = [shape + [choice] for shape in expanded for choice in choices]
            if len(expanded) > _MAX_LAYOUTS:
                return {}
        shapes += expanded
    found: dict[int, list[_Layout]] = {}
    for shape in shapes:
        layout = _layout(shape)
        found.setdefault(layout.length, []).append(layout)
    return found


def _layout(shape: list[tuple[str, Any]]) -> _Layout:
    literals: list[tuple[int, int]] = []
    fields: list[tuple[str, int, int]] = []
    zone: tuple[str, int] | None = None
    position = 0
    for kind, detail in shape:
        if kind == "literal":
            for byte in detail.encode():
                literals.append((position, byte))
                position += 1
        elif kind == "z":
            if detail == "Z":
                literals.append((position, ord("Z")))
                zone = ("Z", position)
            elif detail:
                zone = (detail, position)
            position += len(detail)
        else:
            fields.append((kind, position, detail))
            position += detail
    return _Layout(position, tuple(literals), tuple(fields), zone)


def _format_tokens(timestamp_format: str) -> list[Token] | None:
    """A strptime format as directives and literals, if the vectorised parser can read it.

    Only %Y %m %d %H %M %S %f %z and %%; %f must be followed by the end, %z or a literal that is
    not a digit, and %z must come last, so that the widths strptime's regex finds are the fixed ones.
    """
    tokens: list[Token] = []
    index = 0
    while index < len(timestamp_format):
        char = timestamp_format[index]
        if char != "%":
            tokens.append(("literal", char))
            index += 1
            continue
        directive = timestamp_format[index + 1 : index + 2]
        if directive == "%":
            tokens.append(("literal", "%"))
        elif directive in ("f", "z", *_DIGITS):
            tokens.append(("%", directive))
        else:
            return None  # another directive (or a stray %): strptime reads every value
        index += 2
    for token, after in zip(tokens, [*tokens[1:], None], strict=True):
        if token == ("%", "z") and after is not None:
            return None  # text after an offset: only strptime knows where the offset ends
        if token == ("%", "f") and after not in (None, ("%", "z")):
            kind, text = after
            if kind == "%" or text.isdigit():
                return None  # digits after the fraction: its width is ambiguous, strptime decides
    return tokens


class _TimestampColumn:
    """Parses a pyarrow string array of timestamps to µs since the epoch (UTC), a chunk at a time."""

    def __init__(self, timestamp_format: str | None) -> None:
        self.layouts = _layouts(timestamp_format)
        self.parse_one = _timestamp_parser(timestamp_format)
        self.known: dict[str, int] = {}
        self.parts: list[IntArray] = []

    def add(self, array: Any) -> bool:
        """Parse one block's column; False if a value is not a timestamp at all."""
        micros = self.parse(array)
        if micros is None:
            return False
        self.parts.append(micros)
        return True

    def result(self) -> IntArray:
        micros = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int64)
        self.parts = []
        return micros

    def parse(self, array: Any) -> IntArray | None:
        """The µs of every value, or None if one is not a timestamp at all."""
        count = len(array)
        result = np.zeros(count, dtype=np.int64)
        if not count:
            return result
        _, offsets_buffer, data_buffer = array.buffers()
        offsets = np.frombuffer(
            offsets_buffer, dtype=np.int32, count=count + 1, offset=array.offset * 4
        ).astype(np.int64)  # so that offset + position cannot overflow
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
        lengths = np.diff(offsets)
        left = np.ones(count, dtype=bool)
        shortest, longest = int(lengths.min()), int(lengths.max())
        for length in [shortest] if shortest == longest else np.unique(lengths).tolist():
            layouts = self.layouts.get(length)
            if not layouts:
                continue
            if shortest == longest:
                rows = np.arange(count)
                start = int(offsets[0])
                block = data[start : start + count * length].reshape(count, length)
                text = np.ascontiguousarray(block.T)
            else:
                rows = np.flatnonzero(lengths == length)
                text = data[offsets[rows] + np.arange(length)[:, None]]
            for layout in layouts:
                ok, micros = layout.parse(text)
                result[rows[ok]] = micros[ok]
                left[rows[ok]] = False
                if ok.all():
                    break
                rows, text = rows[~ok], text[:, ~ok]
        for row in np.flatnonzero(left).tolist():
            value = data[offsets[row] : offsets[row + 1]].tobytes().decode()
            micros_of = self.known.get(value)
            if micros_of is None:
                try:
                    micros_of = self.known[value] = self.parse_one(value)
                except ValueError:
                    return None  # an unreadable timestamp: the file is read again row by row, which reports it
            result[row] = micros_of
        return result


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
