"""Benchmark: ingesting interactions through the API against set-based SQL into the same tables.

Builds two identical chains (same slugs, one organisation each) on a fresh PostgreSQL database
and ingests the same N interactions into each:

* cxloop: ``POST /api/interactions/batch`` in batches of 5,000, the API's default limit, one
  after another through Django's test client (the whole request: authentication, validation,
  record_interactions, the planning list); ``--batch 1000`` for smaller requests;
* the reference: COPY into a staging table, then one ``INSERT ... SELECT ... ON CONFLICT`` each
  for customers, journeys and interactions (what the issue measured as the set-based rate).

It runs three rounds (``--rounds``), each on a fresh copy of the migrated database, the reference
first in odd rounds and second in even ones: whichever runs second writes into tables the first
has just filled (its first batches wait for the first's dirty pages), and this machine's speed
drifts by a quarter from one minute to the next. It prints each round, then the round with the
median ratio: both rates, ``ratio cxloop time / reference time: X`` and whether the stored
customers, journeys and interactions of the two chains are identical in every round; the exit
status is 1 when they differ.
cxloop also records the organisation's contact details (with an audit entry per change), puts
each interaction on the planning list and queues a planning task per batch in the database
queue (no worker runs it); the reference does none of this.

    .venv/bin/python benchmarks/ingest.py --quick      # 10k interactions
    .venv/bin/python benchmarks/ingest.py              # 100k interactions
    .venv/bin/python benchmarks/ingest.py --batch 1000 # the same in requests of 1,000

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_ingest_bench on 127.0.0.1) is
dropped and created anew on every round, from a template (its name plus ``_template``) dropped
at the end. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coordination import (  # noqa: E402
    column_default,
    drop_database,
    recreate_database,
    setup_django,
)
from psycopg import conninfo  # noqa: E402

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_ingest_bench"
BATCH = 5000  # CXLOOP_API_BATCH_LIMIT's default: what a bulk load sends
ROUNDS = 3
CUSTOMER_SHARE = 0.5  # distinct customers per interaction: half of them come back
ENDED_SHARE = 0.1


def create_chain(slug: str) -> dict:
    """A chain with one organisation, a journey type with a touchpoint, a channel and an API key."""
    from cxloop.journeys.models import Channel, JourneyType, Touchpoint
    from cxloop.orgs.models import Chain, Organisation
    from cxloop.orgs.services import create_api_key

    chain = Chain.objects.create(name=f"Chain {slug}", slug=slug)
    org = Organisation.objects.create(chain=chain, name=f"Lease {slug}", slug=f"lease-{slug}")
    journey_type = JourneyType.objects.create(
        chain=chain, owner=org, name="Schade melden", slug="schade"
    )
    touchpoint = Touchpoint.objects.create(
        journey_type=journey_type, name="Melding", slug="melding"
    )
    channel = Channel.objects.create(chain=chain, name="Telefoon", slug="telefoon")
    _, key = create_api_key(organisation=org, name="benchmark")
    return {
        "chain": chain.pk,
        "organisation": org.pk,
        "journey_type": journey_type.pk,
        "touchpoint": touchpoint.pk,
        "channel": channel.pk,
        "key": key,
    }


def generate(count: int, seed: int) -> list[dict]:
    """Interactions in time order: returning customers, one or two journeys each, some ended."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    customers = max(1, int(count * CUSTOMER_SHARE))
    items = []
    for n in range(count):
        customer = rng.randrange(customers)
        items.append(
            {
                "external_id": f"call-{n}",
                "occurred_at": (start + timedelta(seconds=17 * n)).isoformat(),
                "customer": {
                    "key": f"K-{customer}",
                    "email": f"klant{customer}@example.nl",
                    "language": "en" if customer % 7 == 0 else "nl",
                },
                "journey_id": f"claim-{customer}-{rng.randrange(2)}",
                "journey_type": "schade",
                "channel": "telefoon",
                "touchpoint": "melding",
                "journey_ended": rng.random() < ENDED_SHARE,
                "wait_seconds": rng.randrange(600),
            }
        )
    return items


def run_cxloop(items: list[dict], key: str, batch: int = BATCH) -> float:
    from django.test import Client

    bodies = [
        json.dumps({"items": items[start : start + batch]}) for start in range(0, len(items), batch)
    ]
    client = Client()
    # One request first, so that loading the URL configuration and the API is not timed. Its 404
    # is expected; Django would log it as a warning between the rounds' lines.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    client.get("/api/interactions/none", HTTP_AUTHORIZATION=f"Bearer {key}")
    request_log.setLevel(level)
    # The garbage collector as `cxloop serve` sets it (cxloop/lib/serving.py). What it freezes
    # here includes the benchmark's items and request bodies, which a server process would not
    # hold: unfrozen, every full collection during the requests walked them (~20 ms a batch at 100k).
    from cxloop.lib.serving import settle_for_serving

    settle_for_serving()
    started = time.perf_counter()
    for body in bodies:
        response = client.post(
            "/api/interactions/batch",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        if response.status_code != 200:
            raise SystemExit(
                f"cxloop refused a batch: {response.status_code} {response.content[:500]}"
            )
    return time.perf_counter() - started


def _columns_and_defaults(model, given: dict[str, str], now: datetime, params: dict) -> tuple:
    """Column names and SELECT expressions: `given`, else the model field's default."""
    from django.db import connection

    names, expressions = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in given:
            expressions.append(given[column])
        elif model_field.primary_key:
            continue
        else:
            name = f"default_{model._meta.model_name}_{column}"
            params[name] = column_default(model_field, now)
            expressions.append(f"CAST(%({name})s AS {model_field.db_type(connection)})")
        names.append(column)
    return ", ".join(names), ", ".join(expressions)


def run_reference(items: list[dict], chain: dict) -> float:
    """COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT per table."""
    from django.db import connection, transaction

    from cxloop.customers.models import Customer
    from cxloop.journeys.models import Interaction, Journey

    now = datetime.now(UTC)
    params: dict = {
        "chain": chain["chain"],
        "organisation": chain["organisation"],
        "journey_type": chain["journey_type"],
        "channel": chain["channel"],
        "touchpoint": chain["touchpoint"],
    }
    customers, journeys = Customer._meta.db_table, Journey._meta.db_table
    cust_cols, cust_select = _columns_and_defaults(
        Customer,
        {"chain_id": "%(chain)s", "key": "customer_key", "language": "language"},
        now,
        params,
    )
    journey_cols, journey_select = _columns_and_defaults(
        Journey,
        {
            "chain_id": "%(chain)s",
            "journey_type_id": "%(journey_type)s",
            "customer_id": "c.id",
            "external_id": "s.journey_id",
            "started_at": "min(s.occurred_at)",
            "ended_at": "min(s.occurred_at) FILTER (WHERE s.journey_ended)",
        },
        now,
        params,
    )
    interaction_cols, interaction_select = _columns_and_defaults(
        Interaction,
        {
            "organisation_id": "%(organisation)s",
            "external_id": "s.external_id",
            "journey_id": "j.id",
            "customer_id": "c.id",
            "occurred_at": "s.occurred_at",
            "channel_id": "%(channel)s",
            "touchpoint_id": "%(touchpoint)s",
            "unit_id": "NULL::bigint",
            "employee_id": "NULL::bigint",
            "wait_seconds": "s.wait_seconds",
        },
        now,
        params,
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE staging (ord int, external_id text, occurred_at timestamptz,"
            " customer_key text, language text, journey_id text, journey_ended boolean,"
            " wait_seconds int) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY staging FROM STDIN") as copy:
            for n, item in enumerate(items):
                copy.write_row(
                    (
                        n,
                        item["external_id"],
                        item["occurred_at"],
                        item["customer"]["key"],
                        item["customer"]["language"] or "nl",
                        item["journey_id"],
                        item["journey_ended"],
                        item["wait_seconds"],
                    )
                )
        cursor.execute(
            f"INSERT INTO {customers} ({cust_cols}) SELECT {cust_select} FROM"
            " (SELECT DISTINCT ON (customer_key) * FROM staging ORDER BY customer_key, ord) s"
            " ON CONFLICT (chain_id, key) DO NOTHING",
            params,
        )
        cursor.execute(
            f"INSERT INTO {journeys} ({journey_cols}) SELECT {journey_select}"
            f" FROM staging s JOIN {customers} c ON c.chain_id = %(chain)s AND c.key = s.customer_key"
            " GROUP BY c.id, s.journey_id"
            " ON CONFLICT (journey_type_id, customer_id, external_id) DO UPDATE SET"
            f" started_at = LEAST({journeys}.started_at, EXCLUDED.started_at),"
            f" ended_at = COALESCE({journeys}.ended_at, EXCLUDED.ended_at)",
            params,
        )
        cursor.execute(
            f"INSERT INTO {Interaction._meta.db_table} ({interaction_cols})"
            f" SELECT {interaction_select} FROM staging s"
            f" JOIN {customers} c ON c.chain_id = %(chain)s AND c.key = s.customer_key"
            f" JOIN {journeys} j ON j.journey_type_id = %(journey_type)s AND j.customer_id = c.id"
            " AND j.external_id = s.journey_id ORDER BY s.ord"
            " ON CONFLICT (organisation_id, external_id) DO NOTHING",
            params,
        )
    return time.perf_counter() - started


def stored_rows(chain: dict) -> dict[str, list[tuple]]:
    """The chain's customers, journeys and interactions without ids, chain or creation times."""
    from django.db import connection

    queries = {
        "customers": """SELECT key, email, phone, language, segment, opted_out_at
            FROM customers_customer WHERE chain_id = %(chain)s ORDER BY key""",
        "journeys": """SELECT c.key, j.external_id, jt.slug, j.started_at, j.ended_at
            FROM journeys_journey j JOIN customers_customer c ON c.id = j.customer_id
            JOIN journeys_journeytype jt ON jt.id = j.journey_type_id
            WHERE j.chain_id = %(chain)s ORDER BY c.key, j.external_id""",
        "interactions": """SELECT i.external_id, c.key, j.external_id, i.occurred_at, ch.slug,
                tp.slug, i.unit_id, i.employee_id, i.wait_seconds
            FROM journeys_interaction i JOIN customers_customer c ON c.id = i.customer_id
            JOIN journeys_journey j ON j.id = i.journey_id
            JOIN journeys_channel ch ON ch.id = i.channel_id
            LEFT JOIN journeys_touchpoint tp ON tp.id = i.touchpoint_id
            WHERE i.organisation_id = %(organisation)s ORDER BY i.external_id""",
    }
    rows = {}
    with connection.cursor() as cursor:
        for name, query in queries.items():
            cursor.execute(query, chain)
            rows[name] = cursor.fetchall()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 interactions")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=BATCH, help="interactions per request")
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="rounds on a fresh database each (median)"
    )
    args = parser.parse_args(argv)
    count = 10_000 if args.quick else args.interactions
    url = os.environ.get("CXLOOP_BENCH_DATABASE_URL", DEFAULT_BENCH_URL)
    template = conninfo.conninfo_to_dict(url)["dbname"] + "_template"
    # The benchmark posts far more batches a minute than a client normally may.
    os.environ["CXLOOP_RATELIMIT_API"] = "1000000/m"
    os.environ.setdefault("CXLOOP_API_BATCH_LIMIT", str(args.batch))

    print(f"setting up {url} ...", file=sys.stderr, flush=True)
    recreate_database(url)
    # The database queue, as a server has it: each batch queues its planning task (not run here).
    setup_django(url, task_queue=True)
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host "testserver" is allowed
    call_command("migrate", verbosity=0, interactive=False)
    connections.close_all()
    # Every round starts from this migrated, empty database.
    recreate_database(conninfo.make_conninfo(url, dbname=template), template=url_name(url))

    items = generate(count, args.seed)
    rounds: list[tuple[float, float, bool]] = []  # cxloop s, reference s, rows identical
    for number in range(1, args.rounds + 1):
        connections.close_all()
        recreate_database(url, template=template)
        cxloop_chain, reference_chain = create_chain("cxloop"), create_chain("reference")
        # Each writes into tables that already hold the other's rows in every other round (the
        # second suffers from the first's dirty pages): the reference first in odd rounds.
        if number % 2:
            reference = run_reference(items, reference_chain)
            cxloop = run_cxloop(items, cxloop_chain["key"], args.batch)
        else:
            cxloop = run_cxloop(items, cxloop_chain["key"], args.batch)
            reference = run_reference(items, reference_chain)
        ours, theirs = stored_rows(cxloop_chain), stored_rows(reference_chain)
        rounds.append((cxloop, reference, ours == theirs))
        print(
            f"round {number} ({'reference' if number % 2 else 'cxloop'} first):"
            f" cxloop {cxloop:6.2f} s, reference {reference:6.2f} s,"
            f" cxloop rate / reference rate {reference / cxloop:.2f},"
            f" stored rows identical: {'yes' if ours == theirs else 'NO'}",
            flush=True,
        )
        for name in ours:
            if ours[name] != theirs[name]:
                diff = [
                    pair
                    for pair in zip(ours[name], theirs[name], strict=False)
                    if pair[0] != pair[1]
                ]
                print(f"  {name} differ, first: {diff[:1]}", file=sys.stderr)
    connections.close_all()
    drop_database(conninfo.make_conninfo(url, dbname=template))

    identical = all(same for _, _, same in rounds)
    # The round with the median ratio stands for the run: this machine's speed drifts by a
    # quarter from one minute to the next, and a round's two parts run a few seconds apart.
    cxloop, reference, _ = sorted(rounds, key=lambda r: r[0] / r[1])[len(rounds) // 2]
    load = os.getloadavg()
    rounds_said = f"{len(rounds)} rounds, the median" if len(rounds) > 1 else "1 round"
    print(f"interactions: {count:,} in batches of {args.batch:,}; {rounds_said}:")
    print(
        "stored: "
        + ", ".join(f"{name} {len(rows):,}" for name, rows in ours.items())
        + " (cxloop) / "
        + ", ".join(f"{name} {len(rows):,}" for name, rows in theirs.items())
        + " (reference)"
    )
    print(f"cxloop    POST /api/interactions/batch: {cxloop:8.2f} s  {count / cxloop:10,.0f} /s")
    print(
        f"reference COPY + INSERT ... ON CONFLICT: {reference:8.2f} s  {count / reference:10,.0f} /s"
    )
    print(f"ratio cxloop time / reference time: {cxloop / reference:.2f}")
    print(f"cxloop rate / reference rate: {reference / cxloop:.2f}")
    ratios = sorted(r / c for c, r, _ in rounds)
    print("cxloop rate / reference rate, every round: " + ", ".join(f"{x:.2f}" for x in ratios))
    print(
        "stored rows identical (customers, journeys, interactions), every round: "
        + ("yes" if identical else "NO")
    )
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if identical else 1


def url_name(url: str) -> str:
    return str(conninfo.conninfo_to_dict(url)["dbname"])


if __name__ == "__main__":
    sys.exit(main())
