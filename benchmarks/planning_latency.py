"""Benchmark: how long an interaction waits for its invitation decision while ingest runs at full speed.

On a fresh PostgreSQL database (made anew for each run), with 1 and then 2 `cxloop worker` processes running (as an operator
starts them), this process posts ``POST /api/interactions/batch`` with batches of 1,000 new
interactions in a loop for ``--seconds`` (60), as fast as cxloop takes them (as
benchmarks/ingest.py does). The workers plan (and send: every interaction is a new customer with
an e-mail address, delivered over SMTP to a sink this benchmark runs) while the load goes on.

For each run it prints the ingest rate reached, how many interactions had their decision when the
load stopped, how long the backlog took to clear, and the time from each interaction's ingest
(its stored ``created_at``) to its stored decision (``decided_at``): median, p95 and max, and
whether every interaction got its decision. The goal of issue 14: no interaction waits more than
30 s at the ingest rate reached. The reference is that goal, not another program.

    .venv/bin/python benchmarks/planning_latency.py                 # 60 s of load, 1 and 2 workers
    .venv/bin/python benchmarks/planning_latency.py --seconds 20 --workers 2

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_bench_scale_latency on 127.0.0.1) is
dropped and created anew on every run. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workers import (  # noqa: E402
    BATCH,
    batch,
    create_chain,
    post_batch,
    prepare,
    smtp_sink,
    wait_until_running,
    workers,
)

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_scale_latency"
GOAL_SECONDS = 30


@dataclass
class Latency:
    workers: int
    ingested: int
    ingest_seconds: float
    decided_at_end_of_load: int
    drain_seconds: float | None
    decided: int
    median: float
    p95: float
    worst: float
    load: tuple[float, float, float]

    @property
    def ingest_rate(self) -> float:
        return self.ingested / self.ingest_seconds


def decided(organisation: int) -> int:
    from cxloop.surveys.models import InvitationDecision

    return (
        InvitationDecision.objects.filter(organisation_id=organisation)
        .values("interaction_id")
        .distinct()
        .count()
    )


def waits(organisation: int) -> tuple[int, float, float, float]:
    """Decided interactions, and the median, p95 and max seconds from ingest to decision."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH waits AS (
                SELECT extract(epoch FROM min(d.decided_at) - i.created_at) AS seconds
                FROM journeys_interaction i
                JOIN surveys_invitationdecision d ON d.interaction_id = i.id
                WHERE i.organisation_id = %s GROUP BY i.id, i.created_at
            )
            SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds), max(seconds)
            FROM waits
            """,
            [organisation],
        )
        count, median, p95, worst = cursor.fetchone()
    return count, float(median or 0), float(p95 or 0), float(worst or 0)


def ingest_for(seconds: float, chain: dict, slug: str) -> tuple[int, float]:
    """Post batches of 1,000 new interactions back to back for `seconds`; how many, in how long."""
    from django.test import Client

    client = Client()
    sent, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        post_batch(client, chain["key"], batch(slug, sent, BATCH))
        sent += BATCH
    return sent, time.perf_counter() - started


def run(count: int, seconds: float, drain_timeout: float) -> Latency:
    from cxloop.server.models import WorkerHeartbeat

    slug = f"latency{count}"
    chain = create_chain(slug)
    WorkerHeartbeat.objects.all().delete()  # the previous run's workers retired already
    with workers(count):
        wait_until_running(count)
        print(f"{count} worker(s) running; ingesting for {seconds:.0f} s ...", file=sys.stderr)
        ingested, ingest_seconds = ingest_for(seconds, chain, slug)
        at_end = decided(chain["organisation"])
        print(f"ingested {ingested:,}; {at_end:,} decided; draining ...", file=sys.stderr)
        stopped, drain = time.perf_counter(), None
        while time.perf_counter() - stopped < drain_timeout:
            if decided(chain["organisation"]) >= ingested:
                drain = time.perf_counter() - stopped
                break
            time.sleep(0.2)
        load = os.getloadavg()
    count_decided, median, p95, worst = waits(chain["organisation"])
    return Latency(
        count, ingested, ingest_seconds, at_end, drain, count_decided, median, p95, worst, load
    )


def report(result: Latency) -> None:
    drained = (
        f"the backlog cleared {result.drain_seconds:.1f} s after the load stopped"
        if result.drain_seconds is not None
        else "the backlog did NOT clear in time"
    )
    print(
        f"{result.workers} worker(s): ingested {result.ingested:,} in {result.ingest_seconds:.1f} s"
        f" = {result.ingest_rate:,.0f} /s; {result.decided_at_end_of_load:,} decided when the"
        f" load stopped; {drained}"
    )
    print(
        f"  ingest -> decision: median {result.median:.1f} s, p95 {result.p95:.1f} s,"
        f" max {result.worst:.1f} s; every interaction decided:"
        f" {'yes' if result.decided >= result.ingested else f'NO ({result.decided:,})'};"
        f" max within {GOAL_SECONDS} s: {'yes' if result.worst <= GOAL_SECONDS else 'NO'}"
        f" (load average {result.load[0]:.2f} {result.load[1]:.2f} {result.load[2]:.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="seconds of ingest per run")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2 or 2")
    parser.add_argument("--drain-timeout", type=float, default=600)
    args = parser.parse_args(argv)
    os.environ.setdefault("CXLOOP_BENCH_DATABASE_URL", DEFAULT_BENCH_URL)
    results = []
    with smtp_sink():
        for count in map(int, args.workers.split(",")):
            # A fresh database per run: the previous run's sending must not hold up this one's workers.
            prepare(os.environ["CXLOOP_BENCH_DATABASE_URL"])
            results.append(run(count, args.seconds, args.drain_timeout))
    for result in results:
        report(result)
    average = os.getloadavg()
    print(f"load average: {average[0]:.2f} {average[1]:.2f} {average[2]:.2f}")
    met = all(r.decided >= r.ingested and r.worst <= GOAL_SECONDS for r in results)
    print(f"goal met (every interaction decided within {GOAL_SECONDS} s): {'yes' if met else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
