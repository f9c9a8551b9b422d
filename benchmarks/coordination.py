"""Benchmark: cxloop's central invitation coordination against a plain SQL anti-join.

Builds a chain with N customers, their contact history (past invitations over 400 days) and
N new interactions on PostgreSQL, then decides for every new interaction twice:

* the reference: one SQL statement that computes every decision (outcome and reason) from the
  contact history and writes them to a table;
* cxloop: ``plan_invitations`` on chunks of interaction ids, in (occurred_at, id) order, with
  one fixed "now" -- exactly as the background task does, minus the task queue.

Both must reach the same decision for every interaction; the script prints both throughputs
and their ratio and exits non-zero when a single decision differs.

    .venv/bin/python benchmarks/coordination.py --quick
    .venv/bin/python benchmarks/coordination.py --customers 1000000 --interactions 1000000

The database named by CXLOOP_BENCH_DATABASE_URL (default cxloop_bench on 127.0.0.1) is
dropped and created anew on every run. See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo, sql

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench"
QUICK_SIZE = 50_000

# Shares of the generated population; chosen so that every rule of the chain's policy fires.
OPTED_OUT_SHARE = 0.02
NO_EMAIL_SHARE = 0.01
BOUNCED_EMAIL_SHARE = 0.005
COMPLAINT_SHARE = 0.005  # customers with a follow-up case; 70% of those cases are still open
EXISTING_JOURNEY_SHARE = 0.10  # new interactions that continue a journey from the history
INTERACTIONS_PER_NEW_JOURNEY = 1.5
HISTORY_DAYS = 400
REFERENCE_REPEATS = 3


# --------------------------------------------------------------------------------------------
# Database and Django set-up (before any cxloop import: settings are read at django.setup()).
# --------------------------------------------------------------------------------------------


def recreate_database(url: str, *, template: str = "") -> None:
    """Drop and create the benchmark database (as a copy of the database `template` if given),
    refusing names that do not look like one."""
    name = drop_database(url)
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin(url) as admin:
        admin.execute(create)


def drop_database(url: str) -> str:
    """Drop a benchmark database, refusing names that do not look like one; returns its name."""
    name = str(conninfo.conninfo_to_dict(url).get("dbname", ""))
    if "bench" not in name:
        # A wrong environment variable must never drop a real cxloop database.
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with _admin(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    return name


def _admin(url: str) -> psycopg.Connection:
    """A connection to the server's `postgres` database, for creating and dropping others."""
    return psycopg.connect(conninfo.make_conninfo(url, dbname="postgres"), autocommit=True)


def setup_django(url: str, *, task_queue: bool = False) -> None:
    """Point cxloop at the benchmark database and replace the task queue by the dummy backend
    (`task_queue`: keep the database queue, as a server has it; nothing runs the tasks).

    The database queue would add one INSERT per invitation (send_invitation_task); the issue
    asks for the cost of deciding, so tasks go to django_tasks' in-memory dummy backend.
    """
    os.environ["CXLOOP_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    os.environ.setdefault("CXLOOP_DATA_DIR", str(Path(tempfile.gettempdir()) / "cxloop-bench"))
    os.environ.setdefault("CXLOOP_SECRET_KEY", "benchmark-only")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django
    from django.conf import settings

    # Assigning before django.setup() means no backend is ever built from the real setting.
    backend = (
        "django_tasks_db.DatabaseBackend"
        if task_queue
        else "django_tasks.backends.dummy.DummyBackend"
    )
    settings.TASKS = {"default": {"BACKEND": backend}}
    django.setup()

    from django_tasks import task_backends

    assert type(task_backends["default"]).__name__ == backend.rsplit(".", 1)[1], (
        f"the task backend is not {backend}"
    )


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much data to generate."""

    customers: int
    history: int  # past invitations (each with its own journey and interaction)
    interactions: int  # new interactions to decide for

    @property
    def new_journeys(self) -> int:
        fresh = self.interactions * (1 - self.existing_share)
        return max(1, round(fresh / INTERACTIONS_PER_NEW_JOURNEY))

    @property
    def existing_share(self) -> float:
        return EXISTING_JOURNEY_SHARE if self.history else 0.0


@dataclass(frozen=True)
class Chain:
    """Ids of the small fixed part of the data set, made with the ORM."""

    chain_id: int
    journey_type_id: int
    channel_id: int
    organisation_ids: list[int]  # owner first, then the two partners
    survey_ids: list[int]  # one per organisation, same order
    rule_ids: list[int]  # one per organisation, same order


def create_chain() -> Chain:
    """One chain: an owner and two partners sharing a journey type, each with a survey and a rule.

    The rules are generic (no journey type), so every organisation's own rule governs its own
    interactions; all are 100% e-mail without fallback, delay 0, quiet hours not for e-mail.
    """
    from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType
    from cxloop.orgs.models import Chain as ChainModel
    from cxloop.orgs.models import Organisation
    from cxloop.surveys.models import ContactPolicy, InvitationRule, Question, Survey

    chain = ChainModel.objects.create(name="Lease chain", slug="lease-chain")
    ContactPolicy.objects.create(chain=chain)  # the defaults: 30 days, 4 per 365 days
    orgs = [
        Organisation.objects.create(chain=chain, name=name, slug=slug)
        for name, slug in [
            ("Lease Co", "lease"),
            ("Call Centre", "callcentre"),
            ("Repair Shop", "repair"),
        ]
    ]
    journey_type = JourneyType.objects.create(
        chain=chain, owner=orgs[0], name="Schade melden", slug="schade"
    )
    for partner in orgs[1:]:
        DataSharingAgreement.objects.create(
            journey_type=journey_type,
            organisation=partner,
            visibility=DataSharingAgreement.Visibility.TOTALS,
        )
    channel = Channel.objects.create(chain=chain, name="Telefoon", slug="telefoon")
    surveys, rules = [], []
    for org in orgs:
        survey = Survey.objects.create(
            organisation=org, name=f"NPS {org.name}", published_at=datetime.now(UTC)
        )
        Question.objects.create(
            survey=survey,
            kind=Question.Kind.NPS,
            required=True,
            text_nl="Hoe waarschijnlijk is het dat u ons aanbeveelt?",
            text_en="How likely are you to recommend us?",
        )
        rule = InvitationRule.objects.create(
            organisation=org,
            survey=survey,
            trigger=InvitationRule.Trigger.AFTER_INTERACTION,
            channel=InvitationRule.Channel.EMAIL,
            fallback_channel="",
            sampling_percent=100,
            delay_minutes=0,
            quiet_hours_for_email=False,
        )
        surveys.append(survey.pk)
        rules.append(rule.pk)
    return Chain(chain.pk, journey_type.pk, channel.pk, [o.pk for o in orgs], surveys, rules)


def tables() -> dict[str, str]:
    """Database table names, from the models rather than guessed."""
    from cxloop.customers.models import Customer
    from cxloop.followup.models import FollowUpCase
    from cxloop.journeys.models import Interaction, Journey
    from cxloop.responses.models import Response
    from cxloop.surveys.models import Invitation, InvitationDecision

    models = {
        "customer": Customer,
        "journey": Journey,
        "interaction": Interaction,
        "invitation": Invitation,
        "decision": InvitationDecision,
        "response": Response,
        "case": FollowUpCase,
    }
    return {key: model._meta.db_table for key, model in models.items()}


def column_default(model_field: Any, now: datetime) -> Any:
    """The value Django would store for a field the generator does not set itself."""
    from django.db import connection
    from django.db.models import DateField

    if isinstance(model_field, DateField) and (model_field.auto_now or model_field.auto_now_add):
        value: Any = now
    else:
        value = model_field.get_default()  # '' for text fields without a default, None otherwise
        if value is None and not model_field.null:
            raise RuntimeError(
                f"{model_field} needs a value: teach benchmarks/coordination.py about it"
            )
    return model_field.get_db_prep_save(value, connection)


def insert_select(
    cursor: Any,
    model: Any,
    columns: dict[str, str],
    source: str,
    params: dict[str, Any],
    now: datetime,
) -> None:
    """INSERT INTO the model's table the given column expressions, SELECTed from `source`.

    Every other column gets the model field's default, so the benchmark keeps working while
    colleagues add fields with defaults to these models.
    """
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise RuntimeError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    names, expressions = [], []
    for column, model_field in fields.items():
        if column in columns:
            expressions.append(columns[column])
        elif model_field.primary_key:
            continue  # the identity column numbers the rows itself
        else:
            key = f"default_{model._meta.model_name}_{column}"
            params[key] = column_default(model_field, now)
            # Typed, because an untyped NULL parameter in a SELECT list would become text.
            expressions.append(f"CAST(%({key})s AS {model_field.db_type(connection_for(model))})")
        names.append(column)
    statement = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(expressions)} FROM {source}"
    cursor.execute(statement, params)


def connection_for(model: Any) -> Any:
    from django.db import connections, router

    return connections[router.db_for_write(model)]


def load_data(sizes: Sizes, chain: Chain, now: datetime, seed: float) -> None:
    """Generate customers, history and new interactions with INSERT ... SELECT generate_series.

    Rows are made inside PostgreSQL, so the load costs seconds, not an ORM round trip per row.
    Explicit ids make the later statements simple joins; the identity sequences are moved past
    them at the end so that cxloop's own inserts get fresh ids.
    """
    from django.db import connection, transaction

    from cxloop.customers.models import Customer
    from cxloop.followup.models import FollowUpCase
    from cxloop.journeys.models import Interaction, Journey
    from cxloop.responses.models import Response
    from cxloop.surveys.models import Invitation

    p: dict[str, Any] = {
        "now": now,
        "seed": seed,
        "chain": chain.chain_id,
        "jt": chain.journey_type_id,
        "channel": chain.channel_id,
        "orgs": chain.organisation_ids,
        "surveys": chain.survey_ids,
        "rules": chain.rule_ids,
        "customers": sizes.customers,
        "history": sizes.history,
        "interactions": sizes.interactions,
        "new_journeys": sizes.new_journeys,
        "existing_share": sizes.existing_share,
        "opted_out": OPTED_OUT_SHARE,
        "no_email": NO_EMAIL_SHARE,
        "bounced": BOUNCED_EMAIL_SHARE,
        "complaints": COMPLAINT_SHARE,
        "history_days": HISTORY_DAYS,
    }
    org = "(%(orgs)s::bigint[])[org]"  # the organisation drawn for a row (1..3)
    with transaction.atomic(), connection.cursor() as cursor:
        # random() below follows this seed, so a run is reproducible for the same sizes.
        cursor.execute("SELECT setseed(%(seed)s)", p)
        insert_select(
            cursor,
            Customer,
            {
                "id": "g",
                "chain_id": "%(chain)s",
                "key": "'c' || g",
                "email": "CASE WHEN r_email < %(no_email)s THEN '' ELSE 'c' || g || '@example.test' END",
                "opted_out_at": "CASE WHEN r_opt < %(opted_out)s THEN %(now)s - interval '20 days' END",
                "email_invalid_at": "CASE WHEN r_bounce < %(bounced)s THEN %(now)s - interval '50 days' END",
                "created_at": "%(now)s - interval '3 years'",
            },
            """(SELECT g, random() AS r_email, random() AS r_opt, random() AS r_bounce
               FROM generate_series(1, %(customers)s) AS g) AS s""",
            p,
            now,
        )

        # The contact history: invitations spread evenly over 400 days, about one per customer,
        # so ~7% of customers are in the 30-day quarantine and ~1% reached the cap of 4 a year.
        # 5% are cancelled or failed, which the policy does not count. Each has its own journey.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_history AS
            SELECT g AS id, 1 + floor(random() * %(customers)s)::bigint AS customer_id,
                   1 + floor(random() * 3)::int AS org,
                   %(now)s - random() * %(history_days)s * interval '1 day' AS at,
                   CASE WHEN r < 0.03 THEN 'cancelled' WHEN r < 0.05 THEN 'failed' WHEN r < 0.35 THEN 'answered'
                        WHEN r < 0.45 THEN 'opened' ELSE 'expired' END AS status
            FROM (SELECT g, random() AS r FROM generate_series(1, %(history)s) AS g) AS s
        """,
            p,
        )
        insert_select(
            cursor,
            Journey,
            {
                "id": "id",
                "chain_id": "%(chain)s",
                "journey_type_id": "%(jt)s",
                "customer_id": "customer_id",
                "external_id": "'h' || id",
                "started_at": "at - interval '2 days'",
                "ended_at": "at - interval '1 hour'",
            },
            "bench_history",
            p,
            now,
        )
        insert_select(
            cursor,
            Interaction,
            {
                "id": "id",
                "organisation_id": org,
                "external_id": "'h' || id",
                "journey_id": "id",
                "customer_id": "customer_id",
                "occurred_at": "at - interval '1 day'",
                "channel_id": "%(channel)s",
                "created_at": "at - interval '1 day'",
            },
            "bench_history",
            p,
            now,
        )
        insert_select(
            cursor,
            Invitation,
            {
                "id": "id",
                "organisation_id": org,
                "survey_id": "(%(surveys)s::bigint[])[org]",
                "customer_id": "customer_id",
                "journey_id": "id",
                "interaction_id": "id",
                "rule_id": "(%(rules)s::bigint[])[org]",
                "channel": "'email'",
                "status": "status",
                "send_after": "at",
                "sent_at": "CASE WHEN status NOT IN ('cancelled', 'failed') THEN at END",
                "expires_at": "at + interval '14 days'",
                "answered_at": "CASE WHEN status = 'answered' THEN at + interval '2 hours' END",
                "created_at": "at - interval '1 day'",
            },
            "bench_history",
            p,
            now,
        )

        # The interactions to decide for, within the last day: most in new journeys (1.5 each on
        # average), 10% continuing a journey from the history.
        insert_select(
            cursor,
            Journey,
            {
                "id": "%(history)s + g",
                "chain_id": "%(chain)s",
                "journey_type_id": "%(jt)s",
                "customer_id": "1 + floor(random() * %(customers)s)::bigint",
                "external_id": "'n' || g",
                "started_at": "%(now)s - interval '1 day' - random() * interval '3 days'",
            },
            "generate_series(1, %(new_journeys)s) AS g",
            p,
            now,
        )
        insert_select(
            cursor,
            Interaction,
            {
                "id": "%(history)s + n.g",
                "organisation_id": "(%(orgs)s::bigint[])[n.org]",
                "external_id": "'n' || n.g",
                "journey_id": "j.id",
                "customer_id": "j.customer_id",
                "occurred_at": "n.at",
                "channel_id": "%(channel)s",
                "created_at": "n.at",
            },
            f"""(SELECT g,
                   CASE WHEN random() < %(existing_share)s THEN 1 + floor(random() * %(history)s)::bigint
                        ELSE %(history)s + 1 + floor(random() * %(new_journeys)s)::bigint END AS journey_id,
                   1 + floor(random() * 3)::int AS org, %(now)s - random() * interval '1 day' AS at
               FROM generate_series(1, %(interactions)s) AS g) AS n
            JOIN {Journey._meta.db_table} AS j ON j.id = n.journey_id""",
            p,
            now,
        )

        # A few customers answered with a low score and have a follow-up case; open ones suppress.
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_complaint AS
            SELECT row_number() OVER (ORDER BY id) AS id, id AS customer_id, random() < 0.7 AS still_open
            FROM {Customer._meta.db_table} WHERE random() < %(complaints)s
        """,
            p,
        )
        insert_select(
            cursor,
            Response,
            {
                "id": "id",
                "survey_id": "(%(surveys)s::bigint[])[1]",
                "customer_id": "customer_id",
                "organisation_id": "(%(orgs)s::bigint[])[1]",
                "journey_type_id": "%(jt)s",
                "nps": "2",
                "started_at": "%(now)s - interval '5 days'",
                "submitted_at": "%(now)s - interval '5 days'",
            },
            "bench_complaint",
            p,
            now,
        )
        insert_select(
            cursor,
            FollowUpCase,
            {
                "id": "id",
                "response_id": "id",
                "organisation_id": "(%(orgs)s::bigint[])[1]",
                "status": "CASE WHEN still_open THEN 'new' ELSE 'closed' END",
                "priority": "'high'",
                "reason": "'NPS 2'",
                "opened_at": "%(now)s - interval '5 days'",
                "due_at": "%(now)s - interval '4 days'",
                "closed_at": "CASE WHEN still_open THEN NULL ELSE %(now)s - interval '3 days' END",
            },
            "bench_complaint",
            p,
            now,
        )
        cursor.execute("DROP TABLE bench_history, bench_complaint")

        for model in (Customer, Journey, Interaction, Invitation, Response, FollowUpCase):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}), true)",
                [table],
            )
    with connection.cursor() as cursor:
        # Fresh statistics, so neither contestant suffers from a planner that sees empty tables.
        cursor.execute("VACUUM ANALYZE")


def prepare_run(sizes: Sizes) -> list[int]:
    """The interactions to decide for, in decision order, in a scratch table and as a list.

    Both contestants get the same input; making it is not part of either measurement.
    """
    from django.db import connection

    t = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TABLE bench_run AS
            SELECT id AS interaction_id, row_number() OVER (ORDER BY occurred_at, id) AS position
            FROM {t["interaction"]} WHERE id > %s
            """,
            [sizes.history],
        )
        cursor.execute("ALTER TABLE bench_run ADD PRIMARY KEY (interaction_id)")
        cursor.execute("ANALYZE bench_run")
        cursor.execute("SELECT interaction_id FROM bench_run ORDER BY position")
        return [row[0] for row in cursor.fetchall()]


def data_counts() -> dict[str, int]:
    from django.db import connection

    t = tables()
    counts = {}
    with connection.cursor() as cursor:
        for key in ("customer", "journey", "interaction", "invitation", "case"):
            cursor.execute(f"SELECT count(*) FROM {t[key]}")
            counts[key] = cursor.fetchone()[0]
    return counts


# --------------------------------------------------------------------------------------------
# The two contestants
# --------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One contestant's timing and the decisions it reached, counted by reason."""

    seconds: float
    decided: int
    invited: int
    reasons: Counter[str] = field(default_factory=Counter)
    runs: list[float] = field(default_factory=list)  # each timing, when measured more than once

    @property
    def per_second(self) -> float:
        return self.decided / self.seconds if self.seconds else float("inf")


def reference_sql(now: datetime) -> tuple[str, dict[str, object]]:
    """One statement that writes every decision (outcome and reason) to bench_reference.

    It applies the chain's rules in coordination.decide()'s order to the history only, then
    accounts for what the run itself does: the first allowed interaction of a customer (in
    (occurred_at, id) order) is invited, and that invitation (send_after = now) puts every later
    interaction of the customer in quarantine -- or, in the same journey, makes it
    "journey_asked", the rule that is checked first. Those two effects are all an invitation of
    the run can change, so this equals deciding one interaction after the other.
    """
    from cxloop.surveys.models import InvitationRule
    from cxloop.surveys.planning import COUNTED_STATUSES, policy_for

    t = tables()
    rules = list(InvitationRule.objects.filter(is_active=True))
    # The statement hard-codes what the generated rules and policy say; fail loudly if not so.
    assert all(
        r.sampling_percent == 100
        and r.channel == "email"
        and not r.fallback_channel
        and r.journey_type_id is None
        and r.touchpoint_id is None
        and r.trigger == InvitationRule.Trigger.AFTER_INTERACTION
        and r.delay_minutes == 0
        and not r.quiet_hours_for_email
        for r in rules
    ), "the reference SQL assumes 100% e-mail rules without delay, touchpoint or quiet hours"
    chain_ids = {r.organisation.chain_id for r in rules}
    assert len(chain_ids) == 1
    policy = policy_for(chain_ids.pop())
    assert policy.one_request_per_journey and policy.suppress_during_open_complaint
    params = {
        "counted": COUNTED_STATUSES,
        # Bounds computed in Python, like coordination.decide(): SQL interval arithmetic on
        # timestamptz would follow the session's DST rules.
        "quarantine_since": now - timedelta(days=policy.quarantine_days),
        "cap_since": now - timedelta(days=policy.cap_period_days),
        "cap_count": policy.cap_count,
    }
    statement = f"""
    CREATE TABLE bench_reference AS
    WITH counted AS (
        SELECT customer_id, journey_id, send_after FROM {t["invitation"]} WHERE status = ANY(%(counted)s)
    ), contact AS (
        SELECT customer_id, max(send_after) AS last_at,
               count(*) FILTER (WHERE send_after > %(cap_since)s) AS in_cap_period
        FROM counted GROUP BY customer_id
    ), asked AS (
        SELECT DISTINCT customer_id, journey_id FROM counted
    ), complaining AS (
        SELECT DISTINCT r.customer_id
        FROM {t["case"]} AS f JOIN {t["response"]} AS r ON r.id = f.response_id
        WHERE f.status <> 'closed'
    ), checked AS (
        SELECT i.id, i.customer_id, i.journey_id, i.occurred_at,
               CASE WHEN c.opted_out_at IS NOT NULL THEN 'opted_out'
                    WHEN c.email = '' OR c.email_invalid_at IS NOT NULL THEN 'no_address'
                    WHEN k.customer_id IS NOT NULL THEN 'open_complaint'
                    WHEN a.journey_id IS NOT NULL THEN 'journey_asked'
                    WHEN h.last_at > %(quarantine_since)s THEN 'quarantine'
                    WHEN h.in_cap_period >= %(cap_count)s THEN 'cap'
               END AS blocked_by
        FROM bench_run AS run
        JOIN {t["interaction"]} AS i ON i.id = run.interaction_id
        JOIN {t["customer"]} AS c ON c.id = i.customer_id
        LEFT JOIN complaining AS k ON k.customer_id = i.customer_id
        LEFT JOIN asked AS a ON a.customer_id = i.customer_id AND a.journey_id = i.journey_id
        LEFT JOIN contact AS h ON h.customer_id = i.customer_id
    ), ranked AS (
        -- Among the customer's allowed interactions, the first one is the one invited.
        SELECT *, first_value(id) OVER allowed AS first_id, first_value(journey_id) OVER allowed AS first_journey_id
        FROM checked
        WINDOW allowed AS (PARTITION BY customer_id, blocked_by IS NULL ORDER BY occurred_at, id)
    )
    SELECT id AS interaction_id,
           CASE WHEN blocked_by IS NULL AND id = first_id THEN 'invited' ELSE 'not_invited' END AS outcome,
           CASE WHEN blocked_by IS NOT NULL THEN blocked_by
                WHEN id = first_id THEN 'invited'
                WHEN journey_id = first_journey_id THEN 'journey_asked'
                ELSE 'quarantine' END AS reason
    FROM ranked
    """
    return statement, params


def run_reference(now: datetime, repeats: int = REFERENCE_REPEATS) -> Measurement:
    """Time the reference statement (it must run before cxloop adds invitations to the history).

    It takes seconds, so one run is at the mercy of whatever else the machine does; the
    median of a few runs is reported (cxloop's run of many minutes averages itself).
    """
    from django.db import connection

    statement, params = reference_sql(now)
    runs = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            cursor.execute("DROP TABLE IF EXISTS bench_reference")
            started = time.perf_counter()
            cursor.execute(statement, params)
            runs.append(time.perf_counter() - started)
        cursor.execute("SELECT reason, count(*) FROM bench_reference GROUP BY reason")
        reasons = Counter(dict(cursor.fetchall()))
    return Measurement(
        statistics.median(runs), sum(reasons.values()), reasons["invited"], reasons, runs
    )


def run_storing(now: datetime, chain: Chain, repeats: int = REFERENCE_REPEATS) -> Measurement:
    """Time storing the reference's outcome the way cxloop must keep it: one invitation per invited
    interaction and one decision row per interaction, each set written by one INSERT ... SELECT
    into cxloop's own tables (their indexes, unique keys and foreign keys checked at once), then
    rolled back. It shows what a set-based planner pays at least for the rows cxloop writes and
    the reference does not; the median of a few runs is reported, like the reference's.
    """
    from django.db import connection, transaction

    from cxloop.surveys.models import Invitation, InvitationDecision

    t = tables()
    rule_of = " ".join(
        f"WHEN {org} THEN {rule}"
        for org, rule in zip(chain.organisation_ids, chain.rule_ids, strict=True)
    )
    survey_of = " ".join(
        f"WHEN {org} THEN {survey}"
        for org, survey in zip(chain.organisation_ids, chain.survey_ids, strict=True)
    )
    invited = (
        f"bench_reference AS r JOIN {t['interaction']} AS i ON i.id = r.interaction_id"
        " WHERE r.outcome = 'invited'"
    )
    decided = (
        f"bench_reference AS r JOIN {t['interaction']} AS i ON i.id = r.interaction_id"
        f" LEFT JOIN {t['invitation']} AS v ON v.interaction_id = r.interaction_id"
    )
    runs = []
    for _ in range(repeats):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            params: dict[str, Any] = {"now": now, "expires": now + timedelta(days=14)}
            insert_select(
                cursor,
                Invitation,
                {
                    "organisation_id": "i.organisation_id",
                    "survey_id": f"CASE i.organisation_id {survey_of} END",
                    "customer_id": "i.customer_id",
                    "journey_id": "i.journey_id",
                    "interaction_id": "i.id",
                    "rule_id": f"CASE i.organisation_id {rule_of} END",
                    "channel": "'email'",
                    "send_after": "%(now)s",
                    "expires_at": "%(expires)s",
                },
                invited,
                params,
                now,
            )
            insert_select(
                cursor,
                InvitationDecision,
                {
                    "chain_id": str(chain.chain_id),
                    "customer_id": "i.customer_id",
                    "organisation_id": "i.organisation_id",
                    "interaction_id": "i.id",
                    "journey_id": "i.journey_id",
                    "rule_id": f"CASE i.organisation_id {rule_of} END",
                    "invitation_id": "v.id",
                    "outcome": "r.outcome",
                    "reason": "r.reason",
                    "detail": "''",
                    "decided_at": "%(now)s",
                },
                decided,
                params,
                now,
            )
            runs.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    with connection.cursor() as cursor:  # the rolled-back rows leave dead entries behind
        cursor.execute(f"VACUUM ANALYZE {t['invitation']}, {t['decision']}")
    return Measurement(statistics.median(runs), 0, 0, Counter(), runs)


def run_cxloop(ids: list[int], chunk: int, now: datetime, profile: bool) -> Measurement:
    """Time plan_invitations over the interactions in chunks, as the planning task receives them."""
    from django_tasks import task_backends

    from cxloop.surveys.models import InvitationDecision
    from cxloop.surveys.planning import plan_invitations

    backend = task_backends["default"]
    profiler = cProfile.Profile() if profile else None
    reasons: Counter[str] = Counter()
    report_every = max(1, len(ids) // chunk // 10)
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for number, offset in enumerate(range(0, len(ids), chunk), start=1):
        decisions = plan_invitations(interaction_ids=ids[offset : offset + chunk], now=now)
        reasons.update(d.reason for d in decisions)
        # The dummy backend keeps every enqueued result; drop them so memory reflects planning.
        backend.results.clear()
        if number % report_every == 0:
            done = min(offset + chunk, len(ids))
            print(
                f"  cxloop: {done:,}/{len(ids):,} decided, {done / (time.perf_counter() - started):,.0f}/s",
                file=sys.stderr,
                flush=True,
            )
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs().sort_stats("tottime")
        stats.print_stats(30)
    return Measurement(
        seconds, sum(reasons.values()), reasons[InvitationDecision.Reason.INVITED], reasons
    )


# --------------------------------------------------------------------------------------------
# Checking and reporting
# --------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """How cxloop's stored decisions and invitations differ from the reference's (all zero: same)."""

    differing_decisions: int
    missing_or_double: int
    invited_only_cxloop: int
    invited_only_reference: int
    task_rows: int
    examples: list[tuple] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (
            self.differing_decisions
            or self.missing_or_double
            or self.invited_only_cxloop
            or self.invited_only_reference
        )


def compare() -> Comparison:
    """Decision by decision, and the invitations cxloop stored against the reference's invited set."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    t = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_cxloop AS
            SELECT d.interaction_id, d.outcome, d.reason
            FROM {t["decision"]} AS d JOIN bench_run USING (interaction_id)
            """
        )
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM bench_run) - count(DISTINCT interaction_id)
                   + count(*) - count(DISTINCT interaction_id)
            FROM bench_cxloop
            """
        )
        missing_or_double = cursor.fetchone()[0]
        mismatch = """
            FROM bench_reference AS r FULL JOIN bench_cxloop AS x USING (interaction_id)
            WHERE r.outcome IS DISTINCT FROM x.outcome OR r.reason IS DISTINCT FROM x.reason
        """
        cursor.execute(f"SELECT count(*) {mismatch}")
        differing = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT interaction_id, r.outcome, r.reason, x.outcome, x.reason {mismatch} ORDER BY 1 LIMIT 10"
        )
        examples = cursor.fetchall()
        cursor.execute(
            f"""
            WITH x AS (SELECT interaction_id FROM {t["invitation"]} JOIN bench_run USING (interaction_id)),
                 r AS (SELECT interaction_id FROM bench_reference WHERE outcome = 'invited')
            SELECT (SELECT count(*) FROM (SELECT * FROM x EXCEPT SELECT * FROM r) AS a),
                   (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM x) AS b)
            """
        )
        only_cxloop, only_reference = cursor.fetchone()
    return Comparison(
        differing,
        missing_or_double,
        only_cxloop,
        only_reference,
        DBTaskResult.objects.count(),
        examples,
    )


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS, where this figure would be 1024x too high).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_report(
    sizes: Sizes,
    counts: dict[str, int],
    chunk: int,
    now: datetime,
    load_seconds: float,
    reference: Measurement,
    storing: Measurement,
    cxloop: Measurement,
    comparison: Comparison,
) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print()
    print("cxloop coordination benchmark")
    print(
        f"  PostgreSQL {server}, Python {sys.version.split()[0]}, now = {now:%Y-%m-%d %H:%M:%S} UTC"
    )
    print(
        f"  customers {counts['customer']:,}; past invitations {counts['invitation']:,};"
        f" journeys {counts['journey']:,}; interactions {counts['interaction']:,}"
        f" of which {sizes.interactions:,} new; follow-up cases {counts['case']:,}"
    )
    print(f"  load (generate, index, analyse): {load_seconds:,.1f} s  (not part of the ratio)")
    print()
    print(f"  {'':<28}{'seconds':>10}{'decisions/s':>14}{'invited':>11}")
    print(
        f"  {'reference (one SQL stmt)':<28}{reference.seconds:>10.2f}{reference.per_second:>14,.0f}{reference.invited:>11,}"
    )
    print(
        f"  {f'cxloop (chunks of {chunk:,})':<28}{cxloop.seconds:>10.2f}{cxloop.per_second:>14,.0f}{cxloop.invited:>11,}"
    )
    print(f"  ratio cxloop time / reference time: {cxloop.seconds / reference.seconds:.1f}")
    print(
        f"  (reference: median of {len(reference.runs)} runs: {', '.join(f'{r:.2f}' for r in reference.runs)} s)"
    )
    # What the reference leaves out: the rows cxloop keeps, written set-based (run_storing).
    floor = reference.seconds + storing.seconds
    print(
        f"  storing the reference's decisions and invitations in cxloop's tables, set-based:"
        f" {storing.seconds:.2f} s (median of {', '.join(f'{r:.2f}' for r in storing.runs)} s)"
    )
    print(
        f"  ratio cxloop time / (reference + storing its rows): {cxloop.seconds / floor:.1f}"
        f"  -- storing alone is {storing.seconds / reference.seconds:.1f}x the reference"
    )
    print()
    print(f"  {'reason':<18}{'reference':>12}{'cxloop':>12}")
    for reason in sorted(set(reference.reasons) | set(cxloop.reasons)):
        print(f"  {reason:<18}{reference.reasons[reason]:>12,}{cxloop.reasons[reason]:>12,}")
    print()
    print(
        f"  decisions differing: {comparison.differing_decisions:,}; interactions without exactly one"
        f" decision: {comparison.missing_or_double:,}; invited only by cxloop:"
        f" {comparison.invited_only_cxloop:,}; only by the reference: {comparison.invited_only_reference:,}"
    )
    for example in comparison.examples:
        print(
            f"    interaction {example[0]}: reference {example[1]}/{example[2]}, cxloop {example[3]}/{example[4]}"
        )
    print(f"  task rows enqueued: {comparison.task_rows}")
    print(f"  decisions identical: {'yes' if comparison.identical else 'no'}")
    print(
        f"  load average at the end (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
        f" on {os.cpu_count()} CPUs -- other work on the machine slows both contestants"
    )
    print(
        f"  peak RSS of this process: {peak_rss_mib():,.0f} MiB (PostgreSQL's own memory not included)"
    )


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument(
        "--interactions", type=int, default=1_000_000, help="new interactions to decide for"
    )
    parser.add_argument(
        "--history", type=int, default=None, help="past invitations (default: one per customer)"
    )
    parser.add_argument(
        "--chunk", type=int, default=5000, help="interaction ids per plan_invitations call"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_SIZE:,} customers and interactions"
    )
    parser.add_argument(
        "--seed", type=float, default=0.42, help="seed for PostgreSQL's random() (-1..1)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the cxloop phase (slows it down)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.customers = args.interactions = QUICK_SIZE
    if args.history is None:
        args.history = args.customers
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("CXLOOP_BENCH_DATABASE_URL", DEFAULT_BENCH_URL)
    sizes = Sizes(customers=args.customers, history=args.history, interactions=args.interactions)
    # One fixed moment for data and decisions, so quarantine and cap windows are exact.
    now = datetime.now(UTC).replace(microsecond=0)

    print(f"setting up {url} ...", file=sys.stderr, flush=True)
    recreate_database(url)
    setup_django(url)
    migrate()

    started = time.perf_counter()
    chain = create_chain()
    load_data(sizes, chain, now, args.seed)
    load_seconds = time.perf_counter() - started
    ids = prepare_run(sizes)
    counts = data_counts()
    print(f"loaded in {load_seconds:.1f} s; running the reference ...", file=sys.stderr, flush=True)

    reference = run_reference(now)
    print(
        f"reference: {reference.seconds:.2f} s; storing its rows ...", file=sys.stderr, flush=True
    )
    storing = run_storing(now, chain)
    print(f"storing: {storing.seconds:.2f} s; running cxloop ...", file=sys.stderr, flush=True)
    cxloop = run_cxloop(ids, args.chunk, now, args.profile)
    comparison = compare()
    print_report(
        sizes, counts, args.chunk, now, load_seconds, reference, storing, cxloop, comparison
    )
    return 0 if comparison.identical else 1


if __name__ == "__main__":
    sys.exit(main())
