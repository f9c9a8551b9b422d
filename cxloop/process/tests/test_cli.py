"""`cxloop journeys analyze` and `cxloop journeys import` from the command line."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from cxloop.process.models import EventLog, LogEvent

BAD_CSV = (
    "case:concept:name,concept:name,time:timestamp,org:resource\n"
    "c1,register,2024-01-01T09:00:00+01:00,Ann\n"
    "c1,decide,not a time,Bob\n"
    "c1,decide,2024-01-01T10:30:00+01:00,Bob\n"
    "NA,register,2024-01-02T09:00:00,\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("journeys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_analyze_prints_one_json_document_with_the_documented_fields(eventlogs):
    out, _ = run("analyze", str(eventlogs / "running-example.xes"), "--json")
    document = json.loads(out)
    assert (document["cases"], document["events"]) == (6, 42)
    assert set(document["variants"][0]) == {"count", "activities"}
    assert set(document["dfg"][0]) == {
        "source",
        "target",
        "frequency",
        "mean_seconds",
        "median_seconds",
    }
    assert set(document["handover"][0]) == {"source", "target", "count"}
    assert set(document["case_duration_seconds"]) >= {"median", "p25", "p75", "p90"}
    assert document["bad_rows"] == {"count": 0, "rows": []}


def test_bad_rows_are_reported_by_line_and_left_out(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(BAD_CSV)
    out, err = run("analyze", str(path), "--json")
    document = json.loads(out)
    assert document["bad_rows"] == {
        "count": 1,
        "rows": [[3, "timestamp 'not a time' is not ISO 8601"]],
    }
    assert "line 3: timestamp 'not a time' is not ISO 8601" in err
    assert document["cases"] == 2  # "NA" is a case
    assert document["handover"] == [
        {"source": "Ann", "target": "Bob", "count": 1}
    ]  # "" is no resource
    assert document["dfg"][0]["mean_seconds"] == 5400


def test_analyze_prints_a_summary_for_people(eventlogs):
    out, _ = run("analyze", str(eventlogs / "running-example.xes"))
    assert "6 cases, 42 events, 6 variants" in out
    assert "check ticket → decide" in out


def test_a_file_that_is_no_log_is_one_clear_error(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="no column 'case:concept:name'"):
        run("analyze", str(path))
    with pytest.raises(CommandError, match="is not a file"):
        run("analyze", str(tmp_path / "missing.xes"))


def test_the_cxloop_command_passes_journeys_through_to_django(eventlogs):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "CXLOOP_TESTING": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cxloop.cli import main; main()",
            "journeys",
            "analyze",
            str(eventlogs / "running-example.xes"),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout)["events"] == 42


@pytest.mark.django_db
def test_import_stores_a_log_as_a_dataset_with_its_bad_rows(cast, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(BAD_CSV)
    out, err = run("import", str(path), "--organisation", "leasewijs", "--name", "Claims 2024")
    log = EventLog.objects.get()
    assert (log.name, log.organisation, log.status, log.events, log.cases, log.bad_count) == (
        "Claims 2024",
        cast.owner,
        EventLog.Status.READY,
        3,
        2,
        1,
    )
    assert log.bad_rows == [[3, "timestamp 'not a time' is not ISO 8601"]]
    assert "3 events in 2 cases imported, 1 bad row(s) left out" in out
    assert "line 3" in err
    assert list(LogEvent.objects.order_by("position").values_list("case_id", "resource")) == [
        ("c1", "Ann"),
        ("c1", "Bob"),
        ("NA", ""),
    ]


@pytest.mark.django_db
def test_import_needs_a_known_organisation(cast, eventlogs):
    with pytest.raises(CommandError, match="no organisation"):
        run("import", str(eventlogs / "running-example.xes"), "--organisation", "nobody")
