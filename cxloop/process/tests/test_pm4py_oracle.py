"""`cxloop journeys analyze LOG --json` gives PM4Py's answers on real public logs.

PM4Py reads each log as SOURCES.md says; every field of the JSON document is compared: case and
event counts, variants with their counts, the directly-follows graph (frequency, mean and median
seconds), hand-over of work (PM4Py gives each pair's share of all hand-overs; the document gives
counts) and the case-duration percentiles.
"""

import io
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

TOLERANCE = 1e-6  # seconds


@dataclass(frozen=True)
class Case:
    file: str
    cli: list[str] = field(default_factory=list)
    csv: dict | None = None  # how pandas reads it: columns and timestamp handling
    resource: str = "org:resource"


CASE_COLUMNS = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
}
LOGS = [
    Case("running-example.xes"),
    Case("roadtraffic100traces.xes"),
    Case("helpdesk.xes.gz"),
    Case("bpic2013_closed_problems.xes.gz"),
    Case("receipt.csv", csv={"sep": ",", **CASE_COLUMNS, "format": "ISO8601"}),
    Case(
        "sepsis.csv",
        cli=[
            "--sep",
            ";",
            "--case",
            "Case ID",
            "--activity",
            "Activity",
            "--timestamp",
            "Complete Timestamp",
            "--timestamp-format",
            "%Y/%m/%d %H:%M:%S.%f",
            "--resource",
            "org:group",
        ],
        csv={
            "sep": ";",
            "case": "Case ID",
            "activity": "Activity",
            "timestamp": "Complete Timestamp",
            "format": "%Y/%m/%d %H:%M:%S.%f",
        },
        resource="org:group",
    ),
    Case(
        "bpic2013_incidents_encoded.csv",
        cli=[
            "--case",
            "CaseID",
            "--activity",
            "Activity",
            "--timestamp",
            "Timestamp",
            "--resource",
            "Resource",
        ],
        csv={
            "sep": ",",
            "case": "CaseID",
            "activity": "Activity",
            "timestamp": "Timestamp",
            "format": "ISO8601",
        },
        resource="Resource",
    ),
]

# PM4Py needs a minute to read these two; run them with CXLOOP_PROCESS_LARGE_LOGS=1.
if os.environ.get("CXLOOP_PROCESS_LARGE_LOGS") == "1":
    LOGS += [Case("bpic2012.xes.gz"), Case("bpic2015_1.xes.gz")]


def analyze(path: Path, *args: str) -> dict:
    out = io.StringIO()
    call_command(
        "journeys", "analyze", str(path), "--json", *args, stdout=out, stderr=io.StringIO()
    )
    return json.loads(out.getvalue())


@dataclass
class Reference:
    frame: object
    case: str
    activity: str
    timestamp: str
    resource: str


def reference(pm4py, path: Path, case: Case) -> Reference:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case.csv is None:
            return Reference(pm4py.read_xes(str(path)), *CASE_COLUMNS.values(), case.resource)
        spec = case.csv
        # All cells are strings: a case called "NA" stays a case, an empty cell stays "".
        frame = pd.read_csv(path, sep=spec["sep"], dtype=str, keep_default_na=False)
        frame[spec["timestamp"]] = pd.to_datetime(
            frame[spec["timestamp"]], format=spec["format"], utc=True
        )
        return Reference(frame, spec["case"], spec["activity"], spec["timestamp"], case.resource)


@pytest.mark.parametrize("case", LOGS, ids=[c.file for c in LOGS])
def test_every_field_equals_pm4py(case: Case, eventlogs, pm4py) -> None:
    path = eventlogs / case.file
    document = analyze(path, *case.cli)
    ref = reference(pm4py, path, case)
    keys = {"case_id_key": ref.case, "activity_key": ref.activity, "timestamp_key": ref.timestamp}
    frame = ref.frame

    assert document["bad_rows"]["count"] == 0
    assert document["events"] == len(frame)
    assert document["cases"] == frame[ref.case].nunique()

    expected_variants = pm4py.get_variants(frame, **keys)
    assert {tuple(v["activities"]): v["count"] for v in document["variants"]} == {
        tuple(k): n for k, n in expected_variants.items()
    }
    order = [(-v["count"], v["activities"]) for v in document["variants"]]
    assert order == sorted(order)

    frequency, _, _ = pm4py.discover_dfg(frame, **keys)
    performance, _, _ = pm4py.discover_performance_dfg(frame, **keys)
    edges = {(e["source"], e["target"]): e for e in document["dfg"]}
    assert {pair: e["frequency"] for pair, e in edges.items()} == {
        pair: int(n) for pair, n in frequency.items()
    }
    for pair, stats in performance.items():
        assert edges[pair]["mean_seconds"] == pytest.approx(stats["mean"], abs=TOLERANCE)
        assert edges[pair]["median_seconds"] == pytest.approx(stats["median"], abs=TOLERANCE)

    assert_handover_equals(document, frame, ref, pm4py)

    durations = np.array(pm4py.get_all_case_durations(frame, **keys), dtype=float)
    expected = dict(
        zip(
            ("median", "p25", "p75", "p90"), np.percentile(durations, [50, 25, 75, 90]), strict=True
        )
    )
    for name, value in expected.items():
        assert document["case_duration_seconds"][name] == pytest.approx(value, abs=TOLERANCE), name


def assert_handover_equals(document: dict, frame, ref: Reference, pm4py) -> None:
    # Events without a resource are left out first; then every direct succession counts.
    with_resource = frame[frame[ref.resource].notna() & (frame[ref.resource].astype(str) != "")]
    counts = {(h["source"], h["target"]): h["count"] for h in document["handover"]}
    absolute, _, _ = pm4py.discover_dfg(
        with_resource, activity_key=ref.resource, timestamp_key=ref.timestamp, case_id_key=ref.case
    )
    # PM4Py's resource DFG gives the same pairs as absolute numbers.
    assert counts == {(str(a), str(b)): int(n) for (a, b), n in absolute.items()}
    if not counts:
        return  # PM4Py's network cannot be built without a single hand-over (roadtraffic100traces)
    network = pm4py.discover_handover_of_work_network(
        with_resource, resource_key=ref.resource, timestamp_key=ref.timestamp, case_id_key=ref.case
    )
    total = sum(counts.values())
    assert set(counts) == {(str(a), str(b)) for a, b in network.connections}
    for (source, target), share in network.connections.items():
        assert counts[(str(source), str(target))] / total == pytest.approx(share, rel=1e-12)
