"""Reading XES and CSV event logs one event at a time, with a report of the rows that are not events."""

import gzip
from datetime import UTC, datetime

import pytest

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
