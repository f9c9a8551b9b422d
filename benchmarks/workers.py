"""Benchmark: planning and sending throughput with 1 and with 2 `cxloop worker` processes.

On a fresh PostgreSQL database it loads N interactions of new customers through
``POST /api/interactions/batch`` while no worker runs, so their planning tasks wait in the
database queue. Then it starts 1 worker and times it until every interaction has its decision
and every invitation has gone out over SMTP. It loads N more interactions (a second chain, the
same shape) and does the same with 2 workers. The reference is the 1-worker run measured in the
same run: it prints ``ratio 2 workers / 1 worker`` for decisions/s and messages/s, and the load
average.

Messages really go out over SMTP, to a sink this benchmark runs (aiosmtpd, in this process, on a
free loopback port): that is the work a worker does per message in production, one SMTP
conversation each. The sink shares the machine's two cores with the workers and PostgreSQL.

    .venv/bin/python benchmarks/workers.py                    # 5,000 interactions per run
    .venv/bin/python benchmarks/workers.py --interactions 20000

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_bench_scale on 127.0.0.1) is
dropped and created anew on every run. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from coordination import recreate_database  # noqa: E402

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_scale"
BATCH = 1000
DATA_DIR = Path(tempfile.gettempdir()) / "cxloop-bench-workers"


def setup_django(url: str) -> None:
    """cxloop as a web process of a real installation: the database is the task queue."""
    os.environ["CXLOOP_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    os.environ.setdefault("CXLOOP_DATA_DIR", str(DATA_DIR))
    os.environ.setdefault("CXLOOP_SECRET_KEY", "benchmark-only")
    os.environ["CXLOOP_RATELIMIT_API"] = "off"  # far more batches a minute than a client may post
    os.environ.setdefault("CXLOOP_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def prepare(url: str) -> None:
    """A fresh database (again, when called a second time), migrated."""
    print(f"setting up {url} ...", file=sys.stderr, flush=True)
    if "DJANGO_SETTINGS_MODULE" in os.environ:
        from django.db import connections

        connections.close_all()
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def create_chain(slug: str) -> dict:
    """A chain with one organisation that invites by e-mail after every contact, and an API key."""
    from cxloop.journeys.models import Channel, JourneyType, Touchpoint
    from cxloop.orgs.models import Chain, Organisation
    from cxloop.orgs.services import create_api_key
    from cxloop.surveys.models import InvitationRule, Question, Survey

    chain = Chain.objects.create(name=f"Chain {slug}", slug=slug)
    org = Organisation.objects.create(
        chain=chain, name=f"Lease {slug}", slug=f"lease-{slug}", sender_email="cx@example.nl"
    )
    journey_type = JourneyType.objects.create(
        chain=chain, owner=org, name="Schade melden", slug="schade"
    )
    Touchpoint.objects.create(journey_type=journey_type, name="Melding", slug="melding")
    Channel.objects.create(chain=chain, name="Telefoon", slug="telefoon")
    survey = Survey.objects.create(organisation=org, name="Na contact")
    Question.objects.create(
        survey=survey,
        position=1,
        kind=Question.Kind.NPS,
        text_nl="Aanbevelen?",
        text_en="Recommend?",
    )
    # Any hour of the day, so that a run at night sends as by day.
    InvitationRule.objects.create(organisation=org, survey=survey, quiet_hours_for_email=False)
    _, key = create_api_key(organisation=org, name="benchmark")
    return {"chain": chain.pk, "organisation": org.pk, "key": key}


def batch(slug: str, start: int, count: int) -> str:
    """A batch body of `count` interactions, each with a customer of its own (so each is invited)."""
    when = datetime.now(UTC) - timedelta(minutes=5)
    items = [
        {
            "external_id": f"{slug}-call-{n}",
            "occurred_at": when.isoformat(),
            "customer": {"key": f"{slug}-K-{n}", "email": f"klant{n}@example.nl", "language": "nl"},
            "journey_id": f"claim-{n}",
            "journey_type": "schade",
            "channel": "telefoon",
            "touchpoint": "melding",
        }
        for n in range(start, start + count)
    ]
    return json.dumps({"items": items})


def post_batch(client, key: str, body: str) -> None:
    response = client.post(
        "/api/interactions/batch",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    if response.status_code != 200:
        raise SystemExit(f"cxloop refused a batch: {response.status_code} {response.content[:500]}")


def load_interactions(chain: dict, slug: str, count: int) -> float:
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        post_batch(client, chain["key"], batch(slug, start, min(BATCH, count - start)))
    return time.perf_counter() - started


@contextmanager
def smtp_sink() -> Iterator[object]:
    from cxloop.lib.testing.smtp import smtp_server

    with smtp_server() as mailbox:
        os.environ["CXLOOP_EMAIL_HOST"] = mailbox.host
        os.environ["CXLOOP_EMAIL_PORT"] = str(mailbox.port)
        yield mailbox


@contextmanager
def workers(count: int) -> Iterator[list[subprocess.Popen]]:
    """`cxloop worker` processes, as an operator starts them; stopped with SIGTERM at the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "cxloop.cli", "worker", "--interval", "0.2"]
    processes = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_running(count: int, timeout: float = 60) -> None:
    """Until `count` workers have beaten: their start-up (imports, connecting) is not timed."""
    from cxloop.server.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while WorkerHeartbeat.objects.count() < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not start within {timeout:.0f} s")
        time.sleep(0.02)


@dataclass
class Progress:
    decisions: int
    invited: int
    delivered: int
    unsent: int
    queued_tasks: int


def progress(organisation: int) -> Progress:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from cxloop.messaging.models import OutboxMessage
    from cxloop.surveys.models import InvitationDecision

    decisions = InvitationDecision.objects.filter(organisation_id=organisation)
    messages = OutboxMessage.objects.filter(organisation_id=organisation)
    done = (OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.BOUNCED)
    return Progress(
        decisions=decisions.count(),
        invited=decisions.filter(outcome=InvitationDecision.Outcome.INVITED).count(),
        delivered=messages.filter(status=OutboxMessage.Status.SENT).count(),
        unsent=messages.exclude(status__in=done).count(),
        queued_tasks=DBTaskResult.objects.ready().count()
        + DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
    )


@dataclass
class Run:
    workers: int
    interactions: int
    planning_seconds: float
    total_seconds: float
    decisions: int
    delivered: int
    load: tuple[float, float, float]

    @property
    def decisions_per_second(self) -> float:
        return self.decisions / self.planning_seconds

    @property
    def messages_per_second(self) -> float:
        return self.delivered / (self.total_seconds - self.planning_seconds)


def run_workers(count: int, chain: dict, interactions: int, timeout: float) -> Run:
    """Start `count` workers on the waiting queue and time them until everything is sent."""
    from cxloop.server.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()  # the previous run's workers retired already
    with workers(count):
        wait_until_running(count)
        started = time.perf_counter()
        planned = None
        while True:
            now = progress(chain["organisation"])
            elapsed = time.perf_counter() - started
            if planned is None and now.decisions >= interactions:
                planned = elapsed
            if planned is not None and now.unsent == 0 and now.queued_tasks == 0:
                if now.delivered >= now.invited:
                    break
            if elapsed > timeout:
                raise SystemExit(f"{count} worker(s) did not finish within {timeout:.0f} s: {now}")
            time.sleep(0.1)
        load = os.getloadavg()
    return Run(count, interactions, planned, elapsed, now.decisions, now.delivered, load)


def report(runs: list[Run]) -> None:
    for run in runs:
        print(
            f"{run.workers} worker(s): {run.decisions:,} decisions in {run.planning_seconds:6.1f} s"
            f" = {run.decisions_per_second:7,.0f} /s;"
            f" {run.delivered:,} messages sent over SMTP in"
            f" {run.total_seconds - run.planning_seconds:6.1f} s more"
            f" = {run.messages_per_second:6,.0f} /s"
            f" (load average at the end {run.load[0]:.2f} {run.load[1]:.2f} {run.load[2]:.2f})"
        )
    one, two = runs
    print(
        f"ratio 2 workers / 1 worker, decisions/s: {two.decisions_per_second / one.decisions_per_second:.2f}"
    )
    print(
        f"ratio 2 workers / 1 worker, messages/s: {two.messages_per_second / one.messages_per_second:.2f}"
    )
    print(f"ratio 2 workers / 1 worker, whole run: {one.total_seconds / two.total_seconds:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=5_000, help="per run")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per run at most")
    args = parser.parse_args(argv)
    url = os.environ.get("CXLOOP_BENCH_DATABASE_URL", DEFAULT_BENCH_URL)
    prepare(url)
    runs = []
    with smtp_sink() as mailbox:
        for count in (1, 2):
            slug = f"run{count}"
            chain = create_chain(slug)
            seconds = load_interactions(chain, slug, args.interactions)
            print(
                f"loaded {args.interactions:,} interactions in {seconds:.1f} s;"
                f" starting {count} worker(s) ...",
                file=sys.stderr,
                flush=True,
            )
            runs.append(run_workers(count, chain, args.interactions, args.timeout))
        received = len(mailbox.messages)  # type: ignore[attr-defined]
    print(
        f"interactions per run: {args.interactions:,}, each a new customer with an e-mail address"
    )
    report(runs)
    sent = sum(run.delivered for run in runs)
    print(f"messages the SMTP sink received: {received:,} (cxloop recorded {sent:,} as sent)")
    average = os.getloadavg()
    print(f"load average: {average[0]:.2f} {average[1]:.2f} {average[2]:.2f}")
    return 0 if received == sent else 1


if __name__ == "__main__":
    sys.exit(main())
