"""Benchmark: cxloop's journey analysis against PM4Py on a log of about a million events.

Builds one log by replicating the public receipt (8,577 events) and BPIC 2012 (262,200 events)
logs with new case ids (the default: BPIC 2012 three times and receipt 25 times, 1,001,025
events), writes it as CSV and as gzipped XES, and then, for each format, runs every analysis
twice, each in a fresh subprocess so that the peak memory (ru_maxrss) is that tool's alone:

* PM4Py: read (pandas.read_csv with all cells as strings, or pm4py.read_xes), then variants,
  directly-follows graph (frequency and performance), hand-over of work (events without a
  resource left out first) and all case durations with their percentiles;
* cxloop: read (cxloop.process.readers into mining.EventTableBuilder: CSV with pyarrow's CSV
  reader where pyarrow is installed) and cxloop.process.mining.analyse, which computes the same
  and more (waiting time per step, ping-pong, start and end activities).

Reading is included in both times; imports (pandas and PM4Py, or numpy and pyarrow) are not. The script prints each time, the ratio and both peaks,
checks that both tools found the same variants, edges (with times within 1e-6 s), hand-over
counts and case-duration percentiles, and exits non-zero when they differ.

    .venv/bin/python benchmarks/process_benchmark.py                   # both formats, ~1,000,000 events
    .venv/bin/python benchmarks/process_benchmark.py --bpic 1 --receipt 5 --formats csv   # a quick run

PM4Py (AGPL) is used here only as the reference; install it with `pip install pm4py`.
The logs are taken from shared/eventlogs beside the repository (see SOURCES.md there).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[1]
EVENTLOGS = REPO.parent / "shared" / "eventlogs"
sys.path.insert(0, str(REPO))

COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")
TOLERANCE = 1e-6


# --- building the log ---------------------------------------------------------------------------


def source_events(path: Path) -> list[tuple[str, str, str, str]]:
    """(case, activity, ISO timestamp in UTC, resource or "") of a public log, in file order."""
    from cxloop.process.readers import Columns, ReadReport, micros_to_datetime, read_events

    report = ReadReport()
    events = [
        (
            case,
            activity,
            micros_to_datetime(micros).isoformat(timespec="microseconds"),
            resource or "",
        )
        for case, activity, micros, resource, _ in read_events(path, Columns(), report)
    ]
    assert report.bad_count == 0, report.bad_rows[:3]
    return events


def build_logs(folder: Path, *, bpic: int, receipt: int, formats: list[str]) -> dict[str, Path]:
    """The replicated log as CSV and/or gzipped XES in `folder`."""
    parts = [
        (source_events(EVENTLOGS / "bpic2012.xes.gz"), bpic, "b"),
        (source_events(EVENTLOGS / "receipt.csv"), receipt, "r"),
    ]
    paths = {}
    if "csv" in formats:
        paths["csv"] = folder / "million.csv"
        with paths["csv"].open("w", encoding="utf-8", newline="") as out:
            out.write(",".join(COLUMNS) + "\n")
            for events, copies, tag in parts:
                for copy in range(copies):
                    for case, activity, moment, who in events:
                        out.write(
                            f"{_csv(f'{tag}{copy}-{case}')},{_csv(activity)},{moment},{_csv(who)}\n"
                        )
    if "xes" in formats:
        paths["xes"] = folder / "million.xes.gz"
        with gzip.open(paths["xes"], "wt", encoding="utf-8", compresslevel=1) as out:
            out.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
            )
            for events, copies, tag in parts:
                for copy in range(copies):
                    _write_traces(out, events, f"{tag}{copy}-")
            out.write("</log>\n")
    return paths


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def _write_traces(out, events: list[tuple[str, str, str, str]], prefix: str) -> None:  # type: ignore[no-untyped-def]
    current = None
    for case, activity, moment, who in events:
        if case != current:
            if current is not None:
                out.write("</trace>\n")
            out.write(f'<trace><string key="concept:name" value={quoteattr(prefix + case)}/>\n')
            current = case
        resource_attribute = f'<string key="org:resource" value={quoteattr(who)}/>' if who else ""
        out.write(
            f'<event><string key="concept:name" value={quoteattr(activity)}/>{resource_attribute}'
            f'<date key="time:timestamp" value="{moment}"/></event>\n'
        )
    if current is not None:
        out.write("</trace>\n")


# --- the two runs, each in its own process ------------------------------------------------------


def run_cxloop(path: Path) -> dict:
    """Read and analyse with cxloop; the results as comparable plain data."""
    from cxloop.process import mining
    from cxloop.process.readers import Columns, ReadReport, read_events

    try:  # imported before the clock starts, as pandas and PM4Py are for PM4Py's run
        import pyarrow.csv  # noqa: F401
    except ImportError:
        pass
    baseline, cpu = _peak_mb(), _cpu_seconds()
    start = time.perf_counter()
    report = ReadReport()
    builder = mining.EventTableBuilder()
    builder.extend(read_events(path, Columns(), report))
    document = mining.analyse(builder.build())
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "cases": document["cases"],
        "events": document["events"],
        "variants": sorted([v["count"], v["activities"]] for v in document["variants"]),
        "dfg": sorted(
            [e["source"], e["target"], e["frequency"], e["mean_seconds"], e["median_seconds"]]
            for e in document["dfg"]
        ),
        "handover": sorted([h["source"], h["target"], h["count"]] for h in document["handover"]),
        "durations": [
            document["case_duration_seconds"][k] for k in ("median", "p25", "p75", "p90")
        ],
    }


def run_pm4py(path: Path) -> dict:
    """Read and analyse with PM4Py's own functions; the results as comparable plain data."""
    import warnings

    os.environ["TQDM_DISABLE"] = "1"
    warnings.filterwarnings("ignore")
    import numpy as np
    import pandas as pd
    import pm4py

    baseline, cpu = _peak_mb(), _cpu_seconds()
    start = time.perf_counter()
    if path.name.endswith(".csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["time:timestamp"] = pd.to_datetime(
            frame["time:timestamp"], format="ISO8601", utc=True
        )
    else:
        frame = pm4py.read_xes(str(path))
    variants = pm4py.get_variants(frame)
    frequency, _, _ = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    resource_column = frame["org:resource"]
    with_resource = frame[resource_column.notna() & (resource_column.astype(str) != "")]
    network = pm4py.discover_handover_of_work_network(with_resource)
    durations = np.percentile(
        np.array(pm4py.get_all_case_durations(frame), dtype=float), [50, 25, 75, 90]
    )
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    # PM4Py gives each pair's share of all hand-overs; its resource DFG gives the counts to compare.
    counts, _, _ = pm4py.discover_dfg(with_resource, activity_key="org:resource")
    total = sum(counts.values())
    assert all(
        abs(counts[pair] / total - share) < 1e-9 for pair, share in network.connections.items()
    )
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "cases": int(frame["case:concept:name"].nunique()),
        "events": len(frame),
        "variants": sorted([int(n), list(k)] for k, n in variants.items()),
        "dfg": sorted(
            [a, b, int(n), float(performance[(a, b)]["mean"]), float(performance[(a, b)]["median"])]
            for (a, b), n in frequency.items()
        ),
        "handover": sorted([str(a), str(b), int(n)] for (a, b), n in counts.items()),
        "durations": [float(d) for d in durations],
    }


def _cpu_seconds() -> float:
    # CPU time as well as wall time: on a shared machine other work slows the wall clock, not this.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def in_subprocess(tool: str, path: Path, result: Path) -> dict:
    subprocess.run([sys.executable, __file__, "--child", tool, str(path), str(result)], check=True)
    return json.loads(result.read_text())


def differences(a: dict, b: dict) -> list[str]:
    """Where the two tools' results differ (times of edges and durations within 1e-6 s)."""
    found = [key for key in ("cases", "events", "variants", "handover") if a[key] != b[key]]
    if len(a["dfg"]) != len(b["dfg"]) or any(
        x[:3] != y[:3] or abs(x[3] - y[3]) > TOLERANCE or abs(x[4] - y[4]) > TOLERANCE
        for x, y in zip(a["dfg"], b["dfg"], strict=False)
    ):
        found.append("dfg")
    if any(abs(x - y) > TOLERANCE for x, y in zip(a["durations"], b["durations"], strict=True)):
        found.append("case durations")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--bpic", type=int, default=3, help="copies of BPIC 2012 (262,200 events each)"
    )
    parser.add_argument(
        "--receipt", type=int, default=25, help="copies of receipt (8,577 events each)"
    )
    parser.add_argument("--formats", default="csv,xes", help="csv, xes or both (csv,xes)")
    parser.add_argument("--keep", type=Path, help="write the built logs here and keep them")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, path, result = args.child
        if tool == "build":
            options = json.loads(result)
            built = build_logs(
                Path(path),
                bpic=options["bpic"],
                receipt=options["receipt"],
                formats=options["formats"],
            )
            print(json.dumps({kind: str(p) for kind, p in built.items()}))
            return 0
        outcome = (run_cxloop if tool == "cxloop" else run_pm4py)(Path(path))
        Path(result).write_text(json.dumps(outcome))
        return 0

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        # Built in a child process: Linux hands a parent's peak memory down to the children it starts,
        # so the parent stays small and each tool's ru_maxrss is its own.
        options = json.dumps({"bpic": args.bpic, "receipt": args.receipt, "formats": formats})
        built = subprocess.run(
            [sys.executable, __file__, "--child", "build", str(folder), options],
            check=True,
            capture_output=True,
            text=True,
        )
        paths = {
            kind: Path(p) for kind, p in json.loads(built.stdout.strip().splitlines()[-1]).items()
        }
        print(
            f"built {', '.join(str(p) for p in paths.values())} in {time.perf_counter() - started:.0f} s"
        )
        failed = False
        for kind, path in paths.items():
            ours = in_subprocess("cxloop", path, Path(scratch) / "cxloop.json")
            theirs = in_subprocess("pm4py", path, Path(scratch) / "pm4py.json")
            differ = differences(ours, theirs)
            failed |= bool(differ)
            print(
                f"\n{kind.upper()}: {ours['events']:,} events, {ours['cases']:,} cases, {path.stat().st_size / 1e6:.0f} MB"
            )
            for name, result in (("cxloop", ours), ("PM4Py", theirs)):
                print(
                    f"  {name:<7} {result['seconds']:7.1f} s wall, {result['cpu_seconds']:7.1f} s CPU   "
                    f"peak memory {result['peak_mb']:6.0f} MB (of which {result['baseline_mb']:.0f} MB after imports)"
                )
            print(
                f"  cxloop is {theirs['seconds'] / ours['seconds']:.1f}x faster by the wall clock, "
                f"{theirs['cpu_seconds'] / ours['cpu_seconds']:.1f}x by CPU time, and uses "
                f"{theirs['peak_mb'] / ours['peak_mb']:.1f}x less peak memory"
            )
            print(
                f"  same results: {'yes' if not differ else 'NO, they differ in ' + ', '.join(differ)}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
