"""Benchmark: planning with a delay after each contact against planning without one.

"Invite an hour after the contact" gives every invitation its own send time. This plans the
coordination benchmark's new interactions (benchmarks/coordination.py), moved into the last five
minutes as if they had just been posted, in chunks of 5,000 with the database task queue as on a
server: first under the chain's rules without a delay (the reference), then, with the
reference's decisions and invitations deleted, the same under a delay of 60 minutes.

It prints both times, their ratio and how many sending tasks each queued, and checks that every
invitation of the delayed run is in exactly one sending task that runs at or after its send
time and within a minute of it. Exit status 1 when a check fails.

    .venv/bin/python benchmarks/delayed_sending.py --quick   # 50k customers and interactions
    .venv/bin/python benchmarks/delayed_sending.py           # 200k

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_bench_delayed on 127.0.0.1) is
dropped and created anew on every run. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coordination import prepare_run  # noqa: E402
from inactivity import CHUNK, forget_decisions, plan_in_chunks, set_up  # noqa: E402

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_delayed"
DELAY_MINUTES = 60


def sending_tasks() -> list[tuple[datetime, list[int]]]:
    from django_tasks_db.models import DBTaskResult

    return [
        (task.run_after, task.args_kwargs["args"][0])
        for task in DBTaskResult.objects.filter(task_path__endswith="send_invitations_task")
    ]


def check(tasks: list[tuple[datetime, list[int]]], ids_above: int) -> dict[str, int]:
    """What went wrong with the invitations of the new interactions, counted (all zero: right)."""
    from cxloop.surveys.models import Invitation

    send_after = dict(
        Invitation.objects.filter(interaction_id__gt=ids_above).values_list("pk", "send_after")
    )
    runs_at: dict[int, list[datetime]] = {}
    for run_after, ids in tasks:
        for pk in ids:
            runs_at.setdefault(pk, []).append(run_after)
    return {
        "invitations in no sending task or in two": sum(
            len(runs_at.get(pk, [])) != 1 for pk in send_after
        ),
        "sending tasks that run before a send time": sum(
            runs_at[pk][0] < at for pk, at in send_after.items() if len(runs_at.get(pk, [])) == 1
        ),
        "sending tasks that run a minute or more after a send time": sum(
            runs_at[pk][0] - at >= timedelta(minutes=1)
            for pk, at in send_after.items()
            if len(runs_at.get(pk, [])) == 1
        ),
    }


def main(argv: list[str] | None = None) -> int:
    sizes, now = set_up(argv, __doc__.split("\n\n")[0], DEFAULT_BENCH_URL)
    from django.db import connection

    from cxloop.journeys.models import Interaction
    from cxloop.surveys.models import InvitationRule

    with connection.cursor() as cursor:  # as if just posted: within the last five minutes
        cursor.execute(
            f"UPDATE {Interaction._meta.db_table}"
            " SET occurred_at = %s - random() * interval '300 seconds' WHERE id > %s",
            [now, sizes.history],
        )
        cursor.execute(f"VACUUM ANALYZE {Interaction._meta.db_table}")
    ids = prepare_run(sizes)
    print("loaded; reference ...", file=sys.stderr, flush=True)

    reference = plan_in_chunks(ids, now)
    reference_tasks = len(sending_tasks())
    forget_decisions(sizes.history)
    InvitationRule.objects.update(delay_minutes=DELAY_MINUTES)
    print(f"reference {reference:.2f} s; delayed ...", file=sys.stderr, flush=True)
    delayed = plan_in_chunks(ids, now)
    tasks = sending_tasks()
    problems = check(tasks, sizes.history)

    n = len(ids)
    print(f"interactions: {n:,} in chunks of {CHUNK:,}, posted within the last five minutes")
    print(
        f"reference: no delay                {reference:7.2f} s {n / reference:9,.0f} /s"
        f"  sending tasks queued: {reference_tasks:,}"
    )
    print(
        f"delayed:   {DELAY_MINUTES} minutes after the contact {delayed:7.2f} s {n / delayed:9,.0f} /s"
        f"  sending tasks queued: {len(tasks):,}"
    )
    print(f"ratio delayed / reference: {delayed / reference:.2f}")
    for what, number in problems.items():
        print(f"  {what}: {number:,}")
    ok = not any(problems.values())
    print(
        f"every invitation in one sending task, within a minute of its send time: {'yes' if ok else 'no'}"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
