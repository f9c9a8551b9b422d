"""Reading XES and CSV event logs one event at a time or as columns, with a report of the rows that are not events."""

import gzip
import importlib.util
import random
import sys
from datetime import UTC, datetime

import pytest

from cxloop.process import mining, readers
from cxloop.process.readers import Columns, LogFormatError, ReadReport, iso_to_micros, read_events


def micros(text: str) -> int:
    return iso_to_micros(text)


def read(path, **columns):
    report = ReadReport()
    return list(read_events(path, Columns(**columns), report)), report


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <global scope="event"><string key="concept:name" value="GLOBAL DEFAULT"/><string key="org:resource" value="nobody"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="the log itself"/>
  <trace>
    <string key="concept:name" value="case &amp; 1"/>
    <event>
      <string key="concept:name" value="register"/>
      <string key="org:resource" value="Pete"><string key="concept:name" value="nested, not the activity"/></string>
      <date key="time:timestamp" value="2010-12-30T14:32:00.000+01:00"/>
    </event>
    <!-- a comment -->
    <event>
      <string key="concept:name" value="decide"/>
      <date key="time:timestamp" value="2010-12-31T10:00:00Z"/>
    </event>
    <event>
      <string key="concept:name" value="no time"/>
    </event>
  </trace>
  <trace>
    <event><string key="concept:name" value="orphan"/><date key="time:timestamp" value="2011-01-01T00:00:00"/></event>
  </trace>
</log>
"""


@pytest.mark.parametrize("gzipped", [False, True])
def test_xes_events_come_with_their_trace_and_bad_events_are_reported(tmp_path, gzipped):
    path = tmp_path / ("log.xes.gz" if gzipped else "log.xes")
    path.write_bytes(gzip.compress(XES.encode()) if gzipped else XES.encode())
    events, report = read(path)
    assert events == [
        ("case & 1", "register", micros("2010-12-30T13:32:00+00:00"), "Pete", None),
        ("case & 1", "decide", micros("2010-12-31T10:00:00+00:00"), None, None),
    ]
    assert report.events == 2 and report.bad_count == 2
    assert [(row.line, row.reason) for row in report.bad_rows] == [
        (18, "an event without 'time:timestamp'"),
        (23, "an event in a trace without 'concept:name'"),
    ]


def test_xes_that_is_not_xml_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.xes"
    path.write_text("<log><trace><event>")
    with pytest.raises(LogFormatError, match="not well-formed"):
        read(path)


CSV = (
    "case;activity;when;who\n"
    "NA;Register;2024/01/02 10:00:00.000;Ann\n"
    "NA;Check;2024/01/02 11:30:00.500;\n"
    ";Check;2024/01/02 11:30:00.000;Bob\n"
    "C2;Check;yesterday;Bob\n"
    "C2;short\n"
    "\n"
    "C2;Decide;2024/01/03 09:00:00.000;Bob\n"
)


def test_csv_cells_are_strings_naive_times_are_utc_and_bad_rows_have_line_numbers(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    events, report = read(
        path,
        case="case",
        activity="activity",
        timestamp="when",
        resource="who",
        timestamp_format="%Y/%m/%d %H:%M:%S.%f",
    )
    t = datetime(2024, 1, 2, 10, tzinfo=UTC).timestamp()
    assert events[0] == ("NA", "Register", int(t * 1_000_000), "Ann", None)
    assert (
        events[1][2] - events[0][2] == 5_400_500_000 and events[1][3] is None
    )  # an empty cell is no resource
    assert [e[1] for e in events] == ["Register", "Check", "Decide"]
    assert [(row.line, row.reason) for row in report.bad_rows] == [
        (4, "the case id is empty"),
        (5, "timestamp 'yesterday' is not %Y/%m/%d %H:%M:%S.%f"),
        (6, "2 cells where 4 are needed"),
    ]


def test_csv_separator_is_detected_and_iso_offsets_become_utc(tmp_path):
    path = tmp_path / "log.csv.gz"
    text = (
        "case:concept:name,concept:name,time:timestamp,org:resource\n"
        '"c,1",a,2011-10-11 13:45:40.276000+02:00,R1\n'
        '"c,1",b,2011-11-24 15:36:51.302+01:00,R2\n'
    )
    path.write_bytes(gzip.compress(text.encode()))
    events, report = read(path)
    assert [e[:2] for e in events] == [("c,1", "a"), ("c,1", "b")]
    assert events[0][2] == micros("2011-10-11T11:45:40.276+00:00")
    assert events[1][2] == micros("2011-11-24T14:36:51.302+00:00")
    assert report.bad_count == 0


def test_missing_columns_are_named_and_a_missing_resource_column_is_a_warning(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case\tactivity\ttime\nc1\ta\t2024-01-01T00:00:00Z\n")
    with pytest.raises(LogFormatError, match="no column 'case:concept:name'"):
        read(path)
    events, report = read(path, case="case", activity="activity", timestamp="time")
    assert events == [("c1", "a", micros("2024-01-01T00:00:00+00:00"), None, None)]
    assert report.warnings == ["no resource column 'org:resource': the events have no resource"]


def test_unknown_file_types_are_refused(tmp_path):
    path = tmp_path / "log.json"
    path.write_text("{}")
    with pytest.raises(LogFormatError, match="not an event log"):
        read(path)


# --- the columnar CSV read (pyarrow) gives what the row-by-row read gives ------------------------

needs_pyarrow = pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None, reason="pyarrow is not installed"
)


def events_of(table) -> list[tuple]:
    """The events of a mining.EventTable as reader tuples."""

    def name(names, code):
        return None if code == mining.NO_VALUE else names[code]

    return [
        (
            table.case_names[c],
            table.activity_names[a],
            t,
            name(table.resource_names, r),
            name(table.organisation_names, o),
        )
        for c, a, t, r, o in zip(
            table.case.tolist(),
            table.activity.tolist(),
            table.timestamp.tolist(),
            table.resource.tolist(),
            table.organisation.tolist(),
            strict=True,
        )
    ]


def both_reads(path, **columns):
    """The row-by-row read and the read as columns (None where it stepped aside), with reports."""
    rows, row_report = read(path, **columns)
    column_report = ReadReport()
    table = readers._read_csv_columns(path, Columns(**columns), column_report)
    return rows, row_report, table, column_report


def report_of(report: ReadReport) -> tuple:
    return report.events, report.bad_count, report.bad_rows, report.warnings


PUBLIC_CSV = [
    ("receipt.csv", {}),
    (
        "sepsis.csv",
        {
            "case": "Case ID",
            "activity": "Activity",
            "timestamp": "Complete Timestamp",
            "resource": "org:group",
            "timestamp_format": "%Y/%m/%d %H:%M:%S.%f",
        },
    ),
    (
        "bpic2013_incidents_encoded.csv",
        {
            "case": "CaseID",
            "activity": "Activity",
            "timestamp": "Timestamp",
            "resource": "Resource",
        },
    ),
]


@needs_pyarrow
@pytest.mark.parametrize(("file", "columns"), PUBLIC_CSV, ids=[f for f, _ in PUBLIC_CSV])
def test_the_public_csv_logs_read_as_columns_equal_the_row_by_row_read(eventlogs, file, columns):
    rows, row_report, table, column_report = both_reads(eventlogs / file, **columns)
    assert table is not None  # read as columns, not left to the rows
    assert column_report.read_by_rows == ""
    assert events_of(table) == rows
    assert report_of(column_report) == report_of(row_report)
    assert column_report.bytes_read == column_report.bytes_total > 0


ODD_BUT_GOOD = (
    "\ufeffcase:concept:name,concept:name,time:timestamp,org:resource,extra,org:unit\r\n"
    'NA,"Register, first",2024-01-02T10:00:00Z,Ann,"x ""quoted""",Claims\r\n'
    '"c""2","two\r\nlines",2024-01-02 11:00:00.5+01:00,,,\r\n'
    "\r\n"
    "c3,Check,2024-01-02,Bob,,Claims\r\n"
    "c3,Check,20240103T010203,Bob,,\r\n"  # a shape only Python reads: one value, not the file
    "c3,Décidé,2024-01-03T09:00:00.123456-02:30,Bob,y,Legal"
)


@needs_pyarrow
@pytest.mark.parametrize("gzipped", [False, True])
def test_quotes_bom_crlf_blank_lines_and_gzip_read_as_columns(tmp_path, gzipped):
    path = tmp_path / ("log.csv.gz" if gzipped else "log.csv")
    data = ODD_BUT_GOOD.encode()
    path.write_bytes(gzip.compress(data) if gzipped else data)
    rows, row_report, table, column_report = both_reads(path, organisation="org:unit")
    assert table is not None
    assert events_of(table) == rows
    assert rows[0][:2] == ("NA", "Register, first") and rows[1][:2] == ('c"2', "two\r\nlines")
    assert rows[1][3] is None and rows[2][4] == "Claims" and rows[1][4] is None
    assert report_of(column_report) == report_of(row_report) == (5, 0, [], [])


HEADER = "case:concept:name,concept:name,time:timestamp,org:resource\n"
ODD_FILES = {
    "a bad timestamp": HEADER + "c1,a,2024-01-01T00:00:00,R\nc1,b,soon,R\n",
    "an empty case id": HEADER + "c1,a,2024-01-01T00:00:00,R\n,b,2024-01-01T01:00:00,R\n",
    "an empty activity": HEADER + "c1,,2024-01-01T00:00:00,R\n",
    "a short row": HEADER + "c1,a,2024-01-01T00:00:00,R\nc1,b\n",
    "a long row": HEADER + "c1,a,2024-01-01T00:00:00,R,more\n",
    "a line of spaces": HEADER + "c1,a,2024-01-01T00:00:00,R\n  \n",
}


STEP_ASIDE_REASONS = {
    ODD_FILES["a bad timestamp"]: "a timestamp that cannot be read",
    ODD_FILES["an empty case id"]: "an empty case id or activity",
    ODD_FILES["an empty activity"]: "an empty case id or activity",
    ODD_FILES["a short row"]: "pyarrow could not read it (ArrowInvalid)",
    ODD_FILES["a long row"]: "pyarrow could not read it (ArrowInvalid)",
    ODD_FILES["a line of spaces"]: "pyarrow could not read it (ArrowInvalid)",
}


@needs_pyarrow
@pytest.mark.parametrize("content", ODD_FILES.values(), ids=list(ODD_FILES))
def test_odd_files_are_left_to_the_row_by_row_read(tmp_path, content):
    path = tmp_path / "log.csv"
    path.write_text(content)
    rows, row_report, table, column_report = both_reads(path)
    assert table is None
    assert report_of(column_report) == (0, 0, [], [])  # as it was: nothing counted twice
    assert column_report.read_by_rows == STEP_ASIDE_REASONS[content]
    report = ReadReport()
    builder = mining.EventTableBuilder()
    builder.extend(read_events(path, Columns(), report))
    assert events_of(builder.build()) == rows
    assert report_of(report) == report_of(row_report)


@needs_pyarrow
def test_a_header_over_two_lines_fails_as_in_the_row_by_row_read(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text('case:concept:name,"concept:name\n",time:timestamp\nc1,a,2024-01-01\n')
    with pytest.raises(LogFormatError, match="no column 'concept:name'"):
        read(path)
    with pytest.raises(LogFormatError, match="no column 'concept:name'"):
        mining.EventTableBuilder().extend(read_events(path, Columns(), ReadReport()))


@needs_pyarrow
def test_bytes_that_are_not_utf8_fail_as_in_the_row_by_row_read(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER.encode() + b"c1,caf\xe9,2024-01-01T00:00:00,R\n")
    with pytest.raises(UnicodeDecodeError):
        read(path)
    with pytest.raises(UnicodeDecodeError):
        mining.EventTableBuilder().extend(read_events(path, Columns(), ReadReport()))


def test_without_pyarrow_a_csv_file_is_read_row_by_row(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_text(ODD_BUT_GOOD)
    rows, row_report = read(path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    report = ReadReport()
    assert readers._read_csv_columns(path, Columns(), report) is None
    assert report.read_by_rows == "pyarrow is not installed"
    builder = mining.EventTableBuilder()
    builder.extend(read_events(path, Columns(), report))
    assert events_of(builder.build()) == rows
    assert report_of(report) == report_of(row_report)


@needs_pyarrow
def test_progress_is_reported_while_reading(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "".join(f"c{i},a,2024-01-01T00:00:{i % 60:02},R\n" for i in range(99)))
    seen: list[tuple[int, float]] = []
    report = ReadReport()
    stream = read_events(
        path, Columns(), report, progress=lambda r: seen.append((r.events, r.fraction))
    )
    mining.EventTableBuilder().extend(stream)
    assert seen and seen[-1] == (99, 1.0)
    seen.clear()
    list(
        read_events(
            path, Columns(), ReadReport(), progress=lambda r: seen.append((r.events, r.fraction))
        )
    )
    assert seen[-1] == (99, 1.0)


# --- timestamps a column at a time ---------------------------------------------------------------

ISO_VALUES = [
    "2011-10-01T00:38:44.546000+00:00",
    "2011-10-01 00:38:44.546+02:00",
    "2011-10-01T00:38:44.5",
    "2011-10-01T00:38:44.12345Z",
    "2011-10-01T00:38:44.1234567",
    "2011-10-01T00:38:44+0130",
    "2011-10-01T00:38:44-01",
    "2011-10-01T00:38:44-00:00",
    "2011-10-01T00:38:44+23:59",
    "2011-10-01T00:38",
    "2011-10-01T00",
    "2011-10-01",
    "2012-02-29T12:00:00",
    "2000-02-29",
    "1900-02-28T23:59:59.999999",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999-12:00",
    "1969-12-31T23:59:59.999999",
    "2011-10-01x00:38:44",
    "2011-10-01 00:38:44,123",
    "20111001T003844",
    "2011-W40-6",
    # not timestamps
    "2011-02-29",
    "1900-02-29",
    "2011-13-01",
    "2011-00-10",
    "2011-10-32",
    "2011-10-00",
    "0000-10-01",
    "2011-10-01T24:00:00",
    "2011-10-01T23:60:00",
    "2011-10-01T23:59:60",
    "2011-10-01T00:38:44+24:00",
    "2011-10-01T00:38:44+01:60",
    "2011-10-01T00:38:44z",
    "2011-1O-01T00:38:44",
    " 2011-10-01T00:38:44",
    "2011-10-01T00:38:44 ",
    "",
    "yesterday",
    "２０１１-10-01",
]
FORMATS = {
    "%Y/%m/%d %H:%M:%S.%f": [
        "2014/10/22 11:15:41.000",
        "2014/10/22 11:15:41.5",
        "2014/1/2 3:04:05.000",
        "2014/10/22 11:15:41",
        "2014/10/22 11:15:41.1234567",
        "2014/02/30 11:15:41.000",
        "2014/10/22  11:15:41.000",
        "2014/10/22 11:15:61.000",
    ],
    "%d-%m-%Y %H:%M%z": [
        "22-10-2014 11:15Z",
        "22-10-2014 11:15+0200",
        "22-10-2014 11:15-02:30",
        "22-10-2014 11:15+02",
        "22-10-2014 11:15+2400",
        "22-10-2014 11:15",
    ],
    "%Y%m%d%H%M%S": ["20141022111541", "2014102211154", "20141322111541", "20140229111541"],
    "%H:%M": ["11:15", "24:00", "1:05"],
    "%Y-%m-%dT%H:%M:%S%%": ["2014-10-22T11:15:41%", "2014-10-22T11:15:41"],
    "%d %b %Y": ["22 Oct 2014", "22 oct 2014", "22 Okt 2014"],  # %b: every value to strptime
    "%f%S": ["1234505"],  # %f before digits: left to strptime
}


def python_micros(value: str, timestamp_format: str | None) -> int | None:
    try:
        if timestamp_format is None:
            return iso_to_micros(value)
        return readers.formatted_to_micros(value, timestamp_format)
    except ValueError:
        return None


def column_micros(values: list[str], timestamp_format: str | None) -> list[int] | None:
    import pyarrow as pa

    parsed = readers._TimestampColumn(timestamp_format).parse(pa.array(values, pa.string()))
    return None if parsed is None else parsed.tolist()


CASES = [(None, v) for v in ISO_VALUES] + [(f, v) for f, vs in FORMATS.items() for v in vs]


@needs_pyarrow
@pytest.mark.parametrize(("timestamp_format", "value"), CASES)
def test_a_timestamp_read_in_a_column_is_what_python_reads(timestamp_format, value):
    expected = python_micros(value, timestamp_format)
    assert column_micros([value], timestamp_format) == (None if expected is None else [expected])


@needs_pyarrow
@pytest.mark.parametrize("timestamp_format", [None, *FORMATS])
def test_a_column_of_mixed_shapes_is_read_value_by_value_as_python_reads_it(timestamp_format):
    values = ISO_VALUES if timestamp_format is None else FORMATS[timestamp_format]
    good = [v for v in values if python_micros(v, timestamp_format) is not None]
    mixed = [good[i % len(good)] for i in range(7 * len(good))]  # lengths and shapes interleaved
    assert column_micros(mixed, timestamp_format) == [
        python_micros(v, timestamp_format) for v in mixed
    ]


@needs_pyarrow
def test_random_timestamps_read_in_columns_equal_python():
    rng = random.Random(20241122)
    values = []
    for _ in range(3000):
        text = "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}".format(
            rng.choice([1, 1969, 1970, 2000, 2024, 2100, 9999, rng.randrange(1, 10000)]),
            rng.randrange(0, 14),
            rng.randrange(0, 33),
            rng.choice("T T"),
            rng.randrange(0, 25),
            rng.randrange(0, 61),
            rng.randrange(0, 61),
        )
        text += rng.choice(["", "." + str(rng.randrange(10**6)).zfill(rng.randrange(1, 7))])
        text += rng.choice(["", "Z", "+05:30", "-0800", "+01", "-23:59", "+24:00", "+05:61"])
        if rng.random() < 0.05:  # a stray character somewhere
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("x:-9 ") + text[at + 1 :]
        values.append(text)
    good = [v for v in values if python_micros(v, None) is not None]
    assert len(good) > 1000
    import pyarrow as pa

    column = readers._TimestampColumn(None)
    parsed = column.parse(pa.array(good, pa.string()))
    assert parsed is not None and parsed.tolist() == [python_micros(v, None) for v in good]
    # Left to Python: offsets of 60 minutes or more (which it reads as the next hour) and a few
    # odd shapes; the vectorised shapes read all the others.
    left = [v for v in column.known if not v.endswith(":61")]
    assert len(left) < len(good) // 20
    for value in values:
        if python_micros(value, None) is None:
            assert column_micros([value], None) is None, value


@needs_pyarrow
def test_events_taken_one_by_one_are_not_given_again_as_a_table(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "c1,a,2024-01-01T00:00:00,R\nc1,b,2024-01-01T01:00:00,R\n")
    stream = read_events(path, Columns(), ReadReport())
    first = next(stream)
    [rest] = list(stream.tables())
    assert first[1] == "a" and events_of(rest) == [
        ("c1", "b", micros("2024-01-01T01:00:00"), "R", None)
    ]
