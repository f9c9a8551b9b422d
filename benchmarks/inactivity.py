"""Benchmark: deciding under an inactivity rule against deciding the same interactions at once.

An inactivity rule ("ask when the journey has been quiet for 48 hours") decides twice: when the
interaction is planned (it waits) and when the quiet period is over (the sweeper decides). This
measures both against the plain case, on the coordination benchmark's chain and data
(benchmarks/coordination.py), with the database task queue as on a server:

* reference: ``plan_invitations`` over the new interactions in chunks of 5,000 under the chain's
  after-interaction rules, which decide at once;
* waiting: the same interactions planned again, in the same chunks, under inactivity rules (the
  reference's decisions and invitations deleted first): every one waits;
* quiet: the sweeper's step, ``decide_quiet_journeys``, 49 hours later, in batches of 2,000
  until no wait is over.

It checks that every journey's latest interaction got its decision, that no other one did, that
no wait is left and that no task was queued per waiting interaction (sending tasks for
the invitations are), and prints the ratios
waiting / reference and (waiting + quiet) / reference. Exit status 1 when a check fails.

    .venv/bin/python benchmarks/inactivity.py --quick      # 50k customers and interactions
    .venv/bin/python benchmarks/inactivity.py              # 200k

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_bench_inactivity on 127.0.0.1)
is dropped and created anew on every run. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coordination import (  # noqa: E402
    Sizes,
    create_chain,
    load_data,
    migrate,
    prepare_run,
    recreate_database,
    setup_django,
)

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_inactivity"
CHUNK = 5000  # what the planning task receives from a full ingest batch
QUIET_HOURS = 48


def plan_in_chunks(ids: list[int], now: datetime) -> float:
    from cxloop.surveys.planning import plan_invitations

    started = time.perf_counter()
    for offset in range(0, len(ids), CHUNK):
        plan_invitations(interaction_ids=ids[offset : offset + CHUNK], now=now)
    return time.perf_counter() - started


def forget_decisions(ids_above: int) -> None:
    """Delete the decisions and invitations of the new interactions, and every queued task."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from cxloop.surveys.models import Invitation, InvitationDecision

    with connection.cursor() as cursor:
        for model in (InvitationDecision, Invitation):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE interaction_id > %s", [ids_above]
            )
    DBTaskResult.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"VACUUM ANALYZE {InvitationDecision._meta.db_table}, {Invitation._meta.db_table}"
        )


def sweep_quiet_journeys(later: datetime) -> tuple[float, int]:
    from cxloop.surveys.models import InactivityWait
    from cxloop.surveys.planning import decide_quiet_journeys

    sweeps = 0
    started = time.perf_counter()
    while InactivityWait.objects.filter(due_at__lte=later).exists():
        decide_quiet_journeys(now=later, limit=2000)
        sweeps += 1
    return time.perf_counter() - started, sweeps


def check(ids_above: int) -> dict[str, int]:
    """What went wrong, counted (all zero: right)."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from cxloop.journeys.models import Interaction
    from cxloop.surveys.models import InactivityWait, InvitationDecision

    interactions = Interaction._meta.db_table
    decisions = InvitationDecision._meta.db_table
    with connection.cursor() as cursor:
        # A journey's latest interaction, among all of its interactions (the history's too).
        cursor.execute(
            f"""
            WITH latest AS (
                SELECT DISTINCT ON (journey_id) id FROM {interactions}
                ORDER BY journey_id, occurred_at DESC, id DESC
            ), decided AS (
                SELECT interaction_id,
                       count(*) FILTER (WHERE outcome <> 'waiting') AS final,
                       count(*) FILTER (WHERE outcome = 'waiting') AS waited
                FROM {decisions} WHERE interaction_id > %(above)s GROUP BY interaction_id
            )
            SELECT
                count(*) FILTER (WHERE l.id IS NOT NULL AND coalesce(d.final, 0) <> 1),
                count(*) FILTER (WHERE l.id IS NULL AND coalesce(d.final, 0) <> 0),
                count(*) FILTER (WHERE coalesce(d.waited, 0) <> 1)
            FROM {interactions} i
            LEFT JOIN latest l ON l.id = i.id
            LEFT JOIN decided d ON d.interaction_id = i.id
            WHERE i.id > %(above)s
            """,
            {"above": ids_above},
        )
        latest_undecided, decided_wrongly, not_waited_once = cursor.fetchone()
    return {
        "latest interactions without exactly one decision": latest_undecided,
        "superseded interactions with a decision": decided_wrongly,
        "interactions without exactly one waiting decision": not_waited_once,
        "waits left on the list": InactivityWait.objects.count(),
        # The invitations made in the quiet phase queue their sending tasks; those are expected.
        "check tasks queued": DBTaskResult.objects.filter(
            task_path__endswith="check_inactivity_task"
        ).count(),
    }


def set_up(argv: list[str] | None, description: str, default_url: str) -> tuple[Sizes, datetime]:
    """Parse the command line, make the benchmark database and load the coordination benchmark's
    chain and data into it, with the database task queue; the sizes and the moment of "now"."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="50,000 customers and interactions")
    parser.add_argument("--seed", type=float, default=0.42)
    args = parser.parse_args(argv)
    count = 50_000 if args.quick else args.customers
    sizes = Sizes(customers=count, history=count, interactions=count)
    url = os.environ.get("CXLOOP_BENCH_DATABASE_URL", default_url)
    now = datetime.now(UTC).replace(microsecond=0)

    print(f"setting up {url} ...", file=sys.stderr, flush=True)
    recreate_database(url)
    setup_django(url, task_queue=True)
    migrate()
    load_data(sizes, create_chain(), now, args.seed)
    return sizes, now


def main(argv: list[str] | None = None) -> int:
    sizes, now = set_up(argv, __doc__.split("\n\n")[0], DEFAULT_BENCH_URL)
    from cxloop.surveys.models import InvitationRule

    ids = prepare_run(sizes)
    print("loaded; reference ...", file=sys.stderr, flush=True)

    reference = plan_in_chunks(ids, now)
    forget_decisions(sizes.history)
    InvitationRule.objects.update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=QUIET_HOURS
    )
    print(f"reference {reference:.2f} s; waiting ...", file=sys.stderr, flush=True)
    waiting = plan_in_chunks(ids, now)
    print(f"waiting {waiting:.2f} s; quiet ...", file=sys.stderr, flush=True)
    quiet, sweeps = sweep_quiet_journeys(now + timedelta(hours=QUIET_HOURS + 1))
    print(f"quiet {quiet:.2f} s; checking ...", file=sys.stderr, flush=True)
    problems = check(sizes.history)

    n = len(ids)
    print(f"interactions: {n:,} in chunks of {CHUNK:,}; inactivity rules of {QUIET_HOURS} hours")
    print(
        f"reference: decided at once (after-interaction rules)  {reference:7.2f} s {n / reference:9,.0f} /s"
    )
    print(
        f"waiting:   planned under inactivity rules               {waiting:7.2f} s {n / waiting:9,.0f} /s"
    )
    print(
        f"quiet:     decide_quiet_journeys, {sweeps} sweeps of <= 2,000 {quiet:7.2f} s {n / quiet:9,.0f} /s"
    )
    print(f"ratio waiting / reference: {waiting / reference:.2f}")
    print(f"ratio (waiting + quiet) / reference: {(waiting + quiet) / reference:.2f}")
    for what, number in problems.items():
        print(f"  {what}: {number:,}")
    ok = not any(problems.values())
    print(f"every journey's latest interaction decided once, nothing else: {'yes' if ok else 'no'}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
