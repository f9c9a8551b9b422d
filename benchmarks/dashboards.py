"""Benchmark: the dashboards' reads from the daily roll-ups against DuckDB scanning raw responses.

Loads responses into PostgreSQL in two steps (by default 1,000,000, then up to 10,000,000),
and after each step:

* rebuilds the roll-ups with ``cxloop.dashboards.rollups.rebuild()`` (timed, with where the
  time goes and its peak RSS) and, clearly labelled, the SQL reference: one SQL-only
  ``INSERT ... SELECT ... GROUP BY`` that must write the same day rows; prints the ratio
  ``rollups.rebuild / SQL reference``;
* exports the raw responses the dashboards need to CSV and loads them into an in-process
  DuckDB table;
* times three dashboard reads -- the organisation roll-up over the unit tree (``unit_tree``),
  a department's NPS per week with intervals and control limits (``trend``) and channel x
  journey type (``channel_by_journey``) -- against DuckDB computing the same numbers from the
  raw rows, over the page's default period (90 days) and a whole year; asserts that both give
  identical counts and prints the ratio duckdb_time / cxloop_time;
* times the whole organisation page (GET /organisations/<slug>/ as an organisation admin).

At the end it measures every read and the page at both sizes once more, in alternating blocks
(the first size's roll-up table is kept and swapped in under the model's table name), and
prints the two sizes side by side: on a shared machine, times taken minutes apart are not
comparable.

Needs DuckDB in the venv: pip install -e ".[bench]" (or "duckdb>=2,<3").

    .venv/bin/python benchmarks/dashboards.py --quick                 # 200k, then 2M responses
    .venv/bin/python benchmarks/dashboards.py                         # 1M, then 10M responses
    .venv/bin/python benchmarks/dashboards.py --responses 4000000 --first 400000

The database named by CXLOOP_BENCH_DASHBOARDS_DATABASE_URL (default cxloop_bench_dash on
127.0.0.1) is dropped and created anew on every run; its name must contain "bench".
DuckDB runs in-process with extension auto-loading and auto-installing switched off.
See benchmarks/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The set-up helpers of the coordination benchmark: drop/create a *bench* database, point
# cxloop at it before django.setup(), migrate, and INSERT ... SELECT with model defaults.
from coordination import insert_select, migrate, recreate_database, setup_django  # noqa: E402

DEFAULT_BENCH_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_dash"
DEFAULT_RESPONSES = 10_000_000
QUICK_RESPONSES = 2_000_000
CUSTOMERS = 200_000
DAYS_OF_DATA = 365
PERIODS = (90, 365)  # the page's default period and the widest preset
SEGMENTS = (("zakelijk", 0.3), ("particulier", 0.7))  # as the demo: 30% business customers

# (organisation index, slug, name, kind, parent slug, staff): 19 units in 3 organisations, up to
# three levels deep, 60 employees, all in teams -- shaped like the demo chain.
UNITS = (
    (0, "klantzaken", "Klantzaken", "division", None, 0),
    (0, "klantenservice", "Klantenservice", "department", "klantzaken", 0),
    (0, "team-noord", "Team Noord", "team", "klantenservice", 6),
    (0, "team-zuid", "Team Zuid", "team", "klantenservice", 6),
    (0, "team-zakelijk", "Team Zakelijk", "team", "klantenservice", 5),
    (0, "schadeafhandeling", "Schadeafhandeling", "department", "klantzaken", 0),
    (0, "schade-particulier", "Team Schade Particulier", "team", "schadeafhandeling", 5),
    (0, "schade-zakelijk", "Team Schade Zakelijk", "team", "schadeafhandeling", 4),
    (0, "wagenparkbeheer", "Wagenparkbeheer", "department", "klantzaken", 0),
    (0, "team-inname", "Team Inname", "team", "wagenparkbeheer", 4),
    (0, "team-verlenging", "Team Verlenging", "team", "wagenparkbeheer", 4),
    (1, "inbound", "Inbound", "department", None, 0),
    (1, "team-dag", "Team Dag", "team", "inbound", 6),
    (1, "team-avond", "Team Avond", "team", "inbound", 5),
    (1, "team-flex", "Team Flex", "team", "inbound", 4),
    (2, "werkplaats", "Werkplaats", "department", None, 0),
    (2, "plaatwerk", "Plaatwerk", "team", "werkplaats", 4),
    (2, "spuiterij", "Spuiterij", "team", "werkplaats", 3),
    (2, "receptie", "Receptie", "team", None, 4),
)
TREND_UNIT = "klantenservice"  # the department whose weekly trend is measured
ORGANISATIONS = (("Lease Co", "lease"), ("Call Centre", "callcentre"), ("Repair Shop", "repair"))
CHANNELS = (  # slug, name, share of the responses
    ("telefoon", "Telefoon", 0.35),
    ("e-mail", "E-mail", 0.25),
    ("chat", "Chat", 0.20),
    ("whatsapp", "WhatsApp", 0.12),
    ("persoonlijk", "Persoonlijk", 0.08),
)
# Journey types (owned by the first organisation) with two touchpoints each, and which
# organisations work at which touchpoint: an employee answers for their organisation's ones.
JOURNEY_TYPES = (
    (
        "schade-melden",
        "Schade melden",
        (("melding", "Melding", (0, 1)), ("herstel", "Herstel", (2,))),
    ),
    (
        "lease-verlengen",
        "Lease verlengen",
        (("offerte", "Offerte", (0,)), ("aflevering", "Aflevering", (0,))),
    ),
    (
        "klacht",
        "Klacht",
        (("indienen", "Klacht indienen", (1,)), ("afhandeling", "Klachtafhandeling", (0,))),
    ),
)
COUNT_FIELDS = (
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_top2",
    "ces_n",
    "ces_sum",
    "ces_sum_squares",
)


# --------------------------------------------------------------------------------------------
# Small tools: timing, memory, SQL capture
# --------------------------------------------------------------------------------------------


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB, from /proc (Linux)."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


_PEAK = [0.0]


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so a phase's own peak can be read; the
    peak so far is kept first (the reset also resets getrusage's ru_maxrss)."""
    _PEAK[0] = max(_PEAK[0], rss_mib()[1])
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


@contextmanager
def phase_memory(store: dict[str, tuple[float, float]], name: str):
    """Record (RSS before, peak RSS during) of a phase."""
    reset_peak_rss()
    before = rss_mib()[0]
    yield
    store[name] = (before, rss_mib()[1])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Captured:
    """SQL statements run through Django, with their time in execute() (which, for an
    ordinary psycopg cursor, includes fetching the rows)."""

    statements: list[tuple[str, Any, float]] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, time.perf_counter() - started))

    def seconds(self, prefix: str = "") -> float:
        return sum(
            s for sql, _, s in self.statements if sql.lstrip().upper().startswith(prefix.upper())
        )

    def count(self, prefix: str = "") -> int:
        return sum(
            1 for sql, _, _ in self.statements if sql.lstrip().upper().startswith(prefix.upper())
        )


@contextmanager
def capture_sql():
    from django.db import connection

    captured = Captured()
    with connection.execute_wrapper(captured):
        yield captured


def sql_exec(statement: str, params: Any = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def scalar(statement: str, params: Any = None) -> Any:
    return sql_exec(statement, params)[0][0]


# --------------------------------------------------------------------------------------------
# The chain and its data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Ids of the small, fixed part of the data set (made with the ORM)."""

    chain_id: int
    organisation_ids: list[int]
    organisation_slugs: list[str]
    unit_paths: dict[str, str]  # slug -> path
    unit_paths_by_org: dict[int, list[str]]
    employee_count: int
    admin_username: str
    channel_shares: list[tuple[int, float]]  # (channel id, cumulative share)


def create_world() -> World:
    """One chain, 3 organisations, 19 units, 60 employees, 3 journey types with 6 touchpoints,
    5 channels, a survey per organisation, an organisation admin, and the employee table
    (bench_employee) the response generator draws from."""
    from django.contrib.auth import get_user_model

    from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
    from cxloop.orgs.models import Chain, Employee, Membership, Organisation, Role
    from cxloop.orgs.services import create_unit
    from cxloop.surveys.models import Question, Survey

    chain = Chain.objects.create(name="Lease chain", slug="lease-chain")
    orgs = [
        Organisation.objects.create(chain=chain, name=name, slug=slug)
        for name, slug in ORGANISATIONS
    ]
    surveys = []
    for org in orgs:
        survey = Survey.objects.create(
            organisation=org, name=f"NPS {org.name}", published_at=datetime.now(UTC)
        )
        Question.objects.create(
            survey=survey,
            kind=Question.Kind.NPS,
            required=True,
            text_nl="Aanbevelen?",
            text_en="Recommend?",
        )
        surveys.append(survey)
    units = {}
    employees = []  # (employee id, organisation index, unit)
    for org_index, slug, name, kind, parent, staff in UNITS:
        unit = create_unit(
            organisation=orgs[org_index], name=name, slug=slug, parent=units.get(parent), kind=kind
        )
        units[slug] = unit
        for number in range(staff):
            employee = Employee.objects.create(
                organisation=orgs[org_index],
                unit=unit,
                code=f"{slug}-{number + 1}",
                name=f"{name} {number + 1}",
            )
            employees.append((employee.pk, org_index, unit))
    touchpoints_by_org: dict[int, list[tuple[int, int]]] = {
        i: [] for i in range(len(orgs))
    }  # (jt, tp)
    for jt_slug, jt_name, touchpoints in JOURNEY_TYPES:
        journey_type = JourneyType.objects.create(
            chain=chain, owner=orgs[0], name=jt_name, slug=jt_slug
        )
        for partner in orgs[1:]:
            DataSharingAgreement.objects.create(
                journey_type=journey_type,
                organisation=partner,
                visibility=DataSharingAgreement.Visibility.TOTALS,
            )
        for position, (tp_slug, tp_name, handled_by) in enumerate(touchpoints):
            touchpoint = Touchpoint.objects.create(
                journey_type=journey_type, name=tp_name, slug=tp_slug, position=position
            )
            for org_index in handled_by:
                touchpoints_by_org[org_index].append((journey_type.pk, touchpoint.pk))
    channels = [
        Channel.objects.create(chain=chain, name=name, slug=slug) for slug, name, _ in CHANNELS
    ]

    admin = get_user_model().objects.create_user(username="bench-admin", password=None)
    Membership.objects.create(user=admin, organisation=orgs[0], role=Role.ORG_ADMIN)

    # What the generator draws from: employee number i (1..60) fixes organisation, unit, path,
    # survey and the (journey type, touchpoint) pairs that organisation works at.
    sql_exec(
        """CREATE TABLE bench_employee (idx int PRIMARY KEY, employee_id bigint, organisation_id bigint,
           unit_id bigint, unit_path text, survey_id bigint, jts bigint[], tps bigint[])"""
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_employee VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    i + 1,
                    pk,
                    orgs[org_index].pk,
                    unit.pk,
                    unit.path,
                    surveys[org_index].pk,
                    [jt for jt, _ in touchpoints_by_org[org_index]],
                    [tp for _, tp in touchpoints_by_org[org_index]],
                )
                for i, (pk, org_index, unit) in enumerate(employees)
            ],
        )
    # Channel drawn by cumulative share.
    channel_shares, upto = [], 0.0
    for channel, (_, _, share) in zip(channels, CHANNELS, strict=True):
        upto += share
        channel_shares.append((channel.pk, round(upto, 6)))

    paths_by_org: dict[int, list[str]] = {org.pk: [] for org in orgs}
    for unit in units.values():
        paths_by_org[unit.organisation_id].append(unit.path)
    return World(
        chain.pk,
        [o.pk for o in orgs],
        [o.slug for o in orgs],
        {slug: u.path for slug, u in units.items()},
        paths_by_org,
        len(employees),
        admin.username,
        channel_shares,
    )


def load_customers(world: World, now: datetime) -> None:
    from django.db import connection, transaction

    from cxloop.customers.models import Customer

    p = {"chain": world.chain_id, "customers": CUSTOMERS, "business": SEGMENTS[0][1], "now": now}
    with transaction.atomic(), connection.cursor() as cursor:
        insert_select(
            cursor,
            Customer,
            {
                "id": "g",
                "chain_id": "%(chain)s",
                "key": "'c' || g",
                "email": "'c' || g || '@example.test'",
                "segment": "CASE WHEN random() < %(business)s THEN 'zakelijk' ELSE 'particulier' END",
                "created_at": "%(now)s - interval '3 years'",
            },
            "generate_series(1, %(customers)s) AS g",
            p,
            now,
        )
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Customer._meta.db_table}', 'id'), %s)",
            [CUSTOMERS],
        )
    sql_exec(f"VACUUM ANALYZE {Customer._meta.db_table}")


@dataclass
class LoadTiming:
    rows: int
    drop_indexes: float
    insert: float
    create_indexes: float
    vacuum_analyze: float

    @property
    def total(self) -> float:
        return self.drop_indexes + self.insert + self.create_indexes + self.vacuum_analyze


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that no constraint owns (those can be dropped)."""
    return sql_exec(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
           ORDER BY i.indexname""",
        [table],
    )


def load_responses(
    world: World, *, first_id: int, count: int, now: datetime, counted: bool
) -> LoadTiming:
    """Add `count` responses with ids first_id.., spread evenly over the last 365 days in id order
    (as real ones arrive), with INSERT ... SELECT generate_series.

    The employee is drawn uniformly from the 60; organisation, unit, unit_path and survey follow
    from them, journey type and touchpoint from the pairs their organisation works at. Channel by
    share, customer uniformly from 200,000. NPS ~ round(N(7.7, 2.0)) clipped to 0..10 (3%
    without), CSAT 1..5 for 60%, CES 1..7 for 40%.

    Bulk-load practice: the secondary indexes are dropped before and recreated after (each
    timed), and foreign-key triggers are skipped for the INSERT (session_replication_role =
    replica); every id drawn exists by construction.
    """
    from django.db import connection, transaction

    from cxloop.responses.models import Response

    table = Response._meta.db_table
    p = {
        "first": first_id,
        "last": first_id + count - 1,
        "count": count,
        "employees": world.employee_count,
        "customers": CUSTOMERS,
        "start": now - timedelta(days=DAYS_OF_DATA),
        "days": DAYS_OF_DATA,
        "counted": counted,
        "now": now,
    }
    channel_case = (
        "CASE "
        + " ".join(
            f"WHEN s.r_channel < {upto!r} THEN {channel_id}"
            for channel_id, upto in world.channel_shares[:-1]
        )
        + f" ELSE {world.channel_shares[-1][0]} END"
    )
    started = time.perf_counter()
    indexes = secondary_indexes(table)
    with transaction.atomic():
        for name, _ in indexes:
            sql_exec(f'DROP INDEX "{name}"')
    dropped = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        insert_select(
            cursor,
            Response,
            {
                "id": "g",
                "survey_id": "survey_id",
                "customer_id": "1 + floor(r_customer * %(customers)s)::bigint",
                "organisation_id": "organisation_id",
                "journey_type_id": "jts[k]",
                "unit_id": "unit_id",
                "unit_path": "unit_path",
                "employee_id": "employee_id",
                "channel_id": "channel_id",
                "touchpoint_id": "tps[k]",
                "nps": """CASE WHEN r_nps_missing < 0.03 THEN NULL ELSE
                          least(10, greatest(0, round(7.7 + 2.0 * sqrt(-2 * ln(1 - r_n1)) * cos(2 * pi() * r_n2))))::smallint END""",
                "csat": "CASE WHEN r_csat < 0.6 THEN (1 + floor(r_csat / 0.6 * 5))::smallint END",
                "ces": "CASE WHEN r_ces < 0.4 THEN (1 + floor(r_ces / 0.4 * 7))::smallint END",
                "counted": "%(counted)s",
                "started_at": "at - interval '3 minutes'",
                "submitted_at": "at",
            },
            f"""(SELECT s.*, e.*, 1 + floor(s.r_tp * cardinality(e.jts))::int AS k,
                       {channel_case} AS channel_id,
                       %(start)s + ((s.g - %(first)s + s.r_at) / %(count)s) * %(days)s * interval '1 day' AS at
                FROM (SELECT g, random() AS r_employee, random() AS r_tp, random() AS r_channel, random() AS r_customer,
                             random() AS r_nps_missing, random() AS r_n1, random() AS r_n2, random() AS r_csat,
                             random() AS r_ces, random() AS r_at
                      FROM generate_series(%(first)s, %(last)s) AS g) AS s
                JOIN bench_employee e ON e.idx = 1 + floor(s.r_employee * %(employees)s)::int) AS d""",
            p,
            now,
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [p["last"]])
    inserted = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
    indexed = time.perf_counter()
    sql_exec(f"VACUUM ANALYZE {table}")
    return LoadTiming(
        count,
        dropped - started,
        inserted - dropped,
        indexed - inserted,
        time.perf_counter() - indexed,
    )


# --------------------------------------------------------------------------------------------
# Roll-ups: cxloop's rebuild() and an SQL-only equivalent
# --------------------------------------------------------------------------------------------


@dataclass
class RebuildTiming:
    rows: int
    seconds: float
    group: (
        float  # CREATE TEMPORARY TABLE ... AS SELECT ... GROUP BY: the day rows from the responses
    )
    write_days: float  # DELETE, UPDATE, INSERT of DailyScore rows from those
    write_compact: (
        float  # DELETE, INSERT ... SELECT ... GROUP BY of the compact rows from the day rows
    )
    update_counted: float
    lock: float  # LOCK TABLE: waiting for live counting (none here)
    commit: float  # COMMITs, with the deferred foreign-key checks of every new roll-up row
    updated_rows: int
    compact_rows: int  # rows written into the compact roll-ups (per unit, per channel x journey)
    rss_before: float = 0.0
    rss_peak: float = 0.0

    @property
    def python(self) -> float:
        """What is left: Python and Django around the statements."""
        return (
            self.seconds
            - self.group
            - self.write_days
            - self.write_compact
            - self.update_counted
            - self.lock
            - self.commit
        )


def run_rebuild() -> RebuildTiming:
    from django.db import connection

    from cxloop.dashboards import rollups
    from cxloop.dashboards.models import DailyScore
    from cxloop.responses.models import Response

    uncounted = Response.objects.filter(submitted_at__isnull=False, counted=False).count()
    reset_peak_rss()
    before = rss_mib()[0]
    # COMMIT is no SQL statement the wrapper sees, and it is where PostgreSQL checks the roll-up
    # rows' deferred foreign keys; time it by wrapping this connection's _commit (behaviour unchanged).
    commits: list[float] = []
    original_commit = connection._commit

    def timed_commit(*a, **k):
        started_commit = time.perf_counter()
        try:
            return original_commit(*a, **k)
        finally:
            commits.append(time.perf_counter() - started_commit)

    connection._commit = timed_commit
    try:
        with capture_sql() as captured:
            started = time.perf_counter()
            written = rollups.rebuild()
            seconds = time.perf_counter() - started
    finally:
        del connection._commit  # the class's method again
    peak = rss_mib()[1]
    compact = sum(c.model.objects.count() for c in rollups.COMPACTS)
    return RebuildTiming(
        rows=written,
        seconds=seconds,
        group=captured.seconds("CREATE TEMPORARY TABLE"),
        write_days=sum(
            captured.seconds(f"{verb}{table}")
            for verb in ('DELETE FROM "', "UPDATE ", "INSERT INTO ")
            for table in (DailyScore._meta.db_table,)
        ),
        write_compact=sum(
            captured.seconds(f"{verb}{c.model._meta.db_table}")
            for verb in ('DELETE FROM "', "INSERT INTO ")
            for c in rollups.COMPACTS
        ),
        update_counted=captured.seconds(f'UPDATE "{Response._meta.db_table}"'),
        lock=captured.seconds("LOCK"),
        commit=sum(commits),
        updated_rows=uncounted,
        compact_rows=compact,
        rss_before=before,
        rss_peak=peak,
    )


def sql_rebuild_statement(target: str) -> str:
    """One INSERT ... SELECT ... GROUP BY that writes rebuild()'s rows (same keys, same counts)."""
    from cxloop.customers.models import Customer
    from cxloop.responses.models import Response

    return f"""
        INSERT INTO {target} (key, day, organisation_id, unit_id, unit_path, employee_id, journey_type_id,
                              channel_id, touchpoint_id, segment, {", ".join(COUNT_FIELDS)})
        SELECT to_char(day, 'YYYY-MM-DD') || '|' || organisation_id || '|' || coalesce(unit_id::text, '') || '|'
               || coalesce(employee_id::text, '') || '|' || coalesce(journey_type_id::text, '') || '|'
               || coalesce(channel_id::text, '') || '|' || coalesce(touchpoint_id::text, '') || '|' || segment,
               day, organisation_id, unit_id, unit_path, employee_id, journey_type_id, channel_id, touchpoint_id,
               segment, {", ".join(COUNT_FIELDS)}
        FROM (
            SELECT (r.submitted_at AT TIME ZONE %(tz)s)::date AS day, r.organisation_id, r.unit_id,
                   r.unit_path, r.employee_id, r.journey_type_id, r.channel_id, r.touchpoint_id,
                   coalesce(c.segment, '') AS segment,
                   count(*) FILTER (WHERE r.nps >= 9) AS promoters,
                   count(*) FILTER (WHERE r.nps BETWEEN 7 AND 8) AS passives,
                   count(*) FILTER (WHERE r.nps <= 6) AS detractors,
                   count(r.csat) AS csat_n,
                   count(*) FILTER (WHERE r.csat >= 4) AS csat_top2,
                   count(r.ces) AS ces_n,
                   coalesce(sum(r.ces), 0) AS ces_sum,
                   coalesce(sum(r.ces * r.ces), 0) AS ces_sum_squares
            FROM {Response._meta.db_table} r JOIN {Customer._meta.db_table} c ON c.id = r.customer_id
            WHERE r.submitted_at IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        ) AS g
    """


@dataclass
class SqlRebuild:
    seconds: float
    rows: int
    differing: int


def run_sql_rebuild() -> SqlRebuild:
    """The SQL-only variant into a copy of the roll-up table (same columns, indexes and unique
    key), compared row by row with what rebuild() wrote; the copy is dropped afterwards."""
    from django.conf import settings
    from django.db import transaction

    from cxloop.dashboards import rollups
    from cxloop.dashboards.models import DailyScore

    table = DailyScore._meta.db_table
    sql_exec("DROP TABLE IF EXISTS bench_rollup_sql")
    sql_exec(f"CREATE TABLE bench_rollup_sql (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    with transaction.atomic():
        # The same memory for sorting and hashing as rebuild() gives each of its slices.
        sql_exec(f"SET LOCAL work_mem = '{rollups.REBUILD_WORK_MEM}'")
        sql_exec(sql_rebuild_statement("bench_rollup_sql"), {"tz": settings.TIME_ZONE})
    seconds = time.perf_counter() - started
    columns = (
        "key, day, organisation_id, unit_id, unit_path, employee_id, journey_type_id, channel_id, touchpoint_id, segment, "
        + ", ".join(COUNT_FIELDS)
    )
    differing = scalar(
        f"""SELECT (SELECT count(*) FROM (SELECT {columns} FROM bench_rollup_sql EXCEPT ALL SELECT {columns} FROM {table}) a)
                 + (SELECT count(*) FROM (SELECT {columns} FROM {table} EXCEPT ALL SELECT {columns} FROM bench_rollup_sql) b)"""
    )
    rows = scalar("SELECT count(*) FROM bench_rollup_sql")
    sql_exec("DROP TABLE bench_rollup_sql")
    return SqlRebuild(seconds, rows, differing)


# --------------------------------------------------------------------------------------------
# DuckDB: the raw responses, and the same numbers from them
# --------------------------------------------------------------------------------------------

RAW_COLUMNS = {
    "day": "DATE",
    "organisation_id": "BIGINT",
    "unit_path": "VARCHAR",
    "employee_id": "BIGINT",
    "journey_type_id": "BIGINT",
    "channel_id": "BIGINT",
    "nps": "SMALLINT",
    "csat": "SMALLINT",
    "ces": "SMALLINT",
}
# count_if rather than count(*) FILTER (...): about twice as fast in DuckDB 2.0 on this data.
DUCK_COUNTS = """
    count_if(nps >= 9) AS promoters,
    count_if(nps BETWEEN 7 AND 8) AS passives,
    count_if(nps <= 6) AS detractors,
    count(csat) AS csat_n,
    count_if(csat >= 4) AS csat_top2,
    count(ces) AS ces_n,
    coalesce(sum(ces), 0) AS ces_sum,
    coalesce(sum(ces * ces), 0) AS ces_sum_squares
"""


@dataclass
class DuckLoad:
    export: float
    load: float
    csv_mib: float
    rows: int


def duckdb_connect():
    import duckdb

    # No extension may be downloaded: parquet/icu/json are built in, nothing else is needed.
    return duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )


def load_duckdb(world: World, workdir: Path) -> tuple[Any, DuckLoad]:
    """COPY the columns the dashboards need (the day in the dashboards' time zone) to CSV, in
    table order (= arrival order), and load them into an in-memory DuckDB table."""
    from django.conf import settings
    from django.db import connection

    from cxloop.responses.models import Response

    path = workdir / "responses.csv"
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    query = f"""COPY (SELECT (submitted_at AT TIME ZONE '{settings.TIME_ZONE}')::date, organisation_id, unit_path,
                      employee_id, journey_type_id, channel_id, nps, csat, ces
                      FROM {Response._meta.db_table} WHERE submitted_at IS NOT NULL) TO STDOUT (FORMAT csv)"""
    with raw.cursor() as cursor, path.open("wb") as out:
        with cursor.copy(query) as copy:
            for block in copy:
                out.write(block)
    exported = time.perf_counter()
    duck = duckdb_connect()
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in RAW_COLUMNS.items())
    duck.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_csv('{path}', header = false, allow_quoted_nulls = false, columns = {{{columns}}})"
    )
    rows = duck.execute("SELECT count(*) FROM raw").fetchone()[0]
    loaded = time.perf_counter()
    duck.execute("CREATE TABLE units (organisation_id BIGINT, path VARCHAR)")
    duck.executemany(
        "INSERT INTO units VALUES (?, ?)",
        [(org, p) for org, paths in world.unit_paths_by_org.items() for p in paths],
    )
    size = path.stat().st_size / 2**20
    path.unlink()
    return duck, DuckLoad(exported - started, loaded - exported, size, rows)


def counts_of(row: dict | Any) -> tuple[int, ...]:
    if isinstance(row, dict):
        return tuple(int(row[name] or 0) for name in COUNT_FIELDS)
    counts = row.counts  # a cxloop Scores
    return (
        counts.promoters,
        counts.passives,
        counts.detractors,
        row.csat_n,
        row.csat_top2,
        row.ces_n,
        row.ces_sum,
        row.ces_sum_squares,
    )


def duck_rows(duck, statement: str, params: list) -> list[dict]:
    cursor = duck.execute(statement, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# The three reads, each as cxloop does it and as DuckDB does it from the raw rows. Each returns
# (comparable counts, the scores shown) so the two can be checked against each other.


def cxloop_unit_tree(organisation, filters) -> dict:
    from cxloop.dashboards import queries

    return {
        row.unit.path: (counts_of(row.scores), row.score)
        for row in queries.unit_tree(organisation=organisation, filters=filters)
    }


def duck_unit_tree(duck, organisation_id: int, since: date, until: date) -> dict:
    from cxloop import stats

    rows = duck_rows(
        duck,
        f"""WITH direct AS (
                SELECT unit_path, {DUCK_COUNTS} FROM raw
                WHERE organisation_id = ? AND day BETWEEN ? AND ? AND unit_path <> ''
                GROUP BY unit_path)
            SELECT u.path, {", ".join(f"coalesce(sum(d.{n}), 0) AS {n}" for n in COUNT_FIELDS)}
            FROM units u LEFT JOIN direct d ON starts_with(d.unit_path, u.path)
            WHERE u.organisation_id = ? GROUP BY u.path""",
        [organisation_id, since, until, organisation_id],
    )
    result = {}
    for row in rows:
        counts = counts_of(row)
        result[row["path"]] = (
            counts,
            stats.nps(promoters=counts[0], passives=counts[1], detractors=counts[2]),
        )
    return result


def cxloop_trend(unit, filters) -> dict:
    from cxloop.dashboards import queries

    return {
        point.start: (counts_of(point.scores), point.scores.nps, point.limits)
        for point in queries.trend(filters=filters, unit=unit, grain="week")
    }


def duck_trend(duck, unit_path: str, since: date, until: date) -> dict:
    from cxloop import stats

    rows = duck_rows(
        duck,
        f"""SELECT CAST(date_trunc('week', day) AS DATE) AS week, {DUCK_COUNTS} FROM raw
            WHERE starts_with(unit_path, ?) AND day BETWEEN ? AND ? GROUP BY 1 ORDER BY 1""",
        [unit_path, since, until],
    )
    points = [stats.NpsCounts(row["promoters"], row["passives"], row["detractors"]) for row in rows]
    limits = stats.control_limits(points)
    return {
        row["week"]: (
            counts_of(row),
            stats.nps(promoters=c.promoters, passives=c.passives, detractors=c.detractors),
            limit,
        )
        for row, c, limit in zip(rows, points, limits, strict=True)
    }


def cxloop_channel_journey(organisation_ids: list[int], filters) -> dict:
    from cxloop.dashboards import queries

    return {
        (cell.channel_id, cell.journey_type_id): (counts_of(cell.scores), cell.scores.nps)
        for cell in queries.channel_by_journey(filters=filters, organisation_ids=organisation_ids)
    }


def duck_channel_journey(duck, organisation_ids: list[int], since: date, until: date) -> dict:
    from cxloop import stats

    rows = duck_rows(
        duck,
        f"""SELECT channel_id, journey_type_id, {DUCK_COUNTS} FROM raw
            WHERE list_contains(?, organisation_id) AND channel_id IS NOT NULL AND journey_type_id IS NOT NULL
              AND day BETWEEN ? AND ? GROUP BY 1, 2""",
        [organisation_ids, since, until],
    )
    return {
        (row["channel_id"], row["journey_type_id"]): (
            counts_of(row),
            stats.nps(
                promoters=row["promoters"], passives=row["passives"], detractors=row["detractors"]
            ),
        )
        for row in rows
    }


def same_numbers(a: dict, b: dict, label: str) -> None:
    """Assert that cxloop's and DuckDB's results agree exactly (counts) and to the float (scores,
    intervals, control limits: the same functions on the same counts)."""
    missing_zero = {
        k: v for k, v in a.items() if k not in b and not any(v[0])
    }  # units without answers
    assert set(a) - set(missing_zero) == set(b), (
        f"{label}: keys differ: {sorted(set(a) ^ set(b))[:5]}"
    )
    for key in b:
        assert a[key][0] == b[key][0], (
            f"{label} {key}: counts differ: cxloop {a[key][0]} duckdb {b[key][0]}"
        )
        assert a[key][1:] == b[key][1:], (
            f"{label} {key}: scores differ: cxloop {a[key][1:]} duckdb {b[key][1:]}"
        )


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


@dataclass
class Duel:
    name: str
    days: int
    cxloop_runs: list[float]
    duck_runs: list[float]
    rollup_rows: int  # roll-up rows in the slice and period
    raw_rows: int  # raw responses in the slice and period
    cxloop_sql: float  # seconds in SQL (execute + fetch) of one instrumented cxloop call
    cxloop_total: float  # seconds of that call
    cxloop_statements: int

    @property
    def cxloop(self) -> float:
        return statistics.median(self.cxloop_runs)

    @property
    def duck(self) -> float:
        return statistics.median(self.duck_runs)


def duel(
    name: str,
    days: int,
    run_cxloop: Callable[[], dict],
    run_duck: Callable[[], dict],
    repeat: int,
    counts: tuple[int, int],
) -> Duel:
    """Warm both up (and check they agree), then time them alternately, `repeat` times each."""
    a, b = run_cxloop(), run_duck()
    same_numbers(a, b, f"{name} ({days} days)")
    with capture_sql() as captured:
        started = time.perf_counter()
        run_cxloop()
        total = time.perf_counter() - started
    cx_runs, duck_runs = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        run_cxloop()
        cx_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_duck()
        duck_runs.append(time.perf_counter() - started)
    return Duel(
        name,
        days,
        cx_runs,
        duck_runs,
        counts[0],
        counts[1],
        captured.seconds(),
        total,
        len(captured.statements),
    )


@dataclass
class PageTiming:
    runs: list[float]
    statements: int
    sql_seconds: float
    bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def page_client(world: World):
    from django.contrib.auth import get_user_model

    from cxloop.lib.testing.logins import logged_in  # an admin needs a second factor

    client = logged_in(get_user_model().objects.get(username=world.admin_username))
    return client, f"/organisations/{world.organisation_slugs[0]}/"


def time_page(world: World, repeat: int) -> PageTiming:
    client, url = page_client(world)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    with capture_sql() as captured:
        response = client.get(url)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        runs.append(time.perf_counter() - started)
        assert response.status_code == 200
    return PageTiming(runs, len(captured.statements), captured.seconds(), len(response.content))


def explain_reads(world: World, organisation, unit, filters) -> str:
    """EXPLAIN ANALYZE of every SQL statement the three cxloop reads run (for where the time goes)."""
    from django.db import connection

    out = []
    for label, call in (
        ("unit_tree", lambda: cxloop_unit_tree(organisation, filters)),
        ("trend", lambda: cxloop_trend(unit, filters)),
        ("channel_by_journey", lambda: cxloop_channel_journey(world.organisation_ids, filters)),
    ):
        with capture_sql() as captured:
            call()
        for sql, params, _ in captured.statements:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(
                f"--- {label} [{filters.since} .. {filters.until}]\n{cursor.mogrify(sql, params) if hasattr(cursor, 'mogrify') else sql}\n{plan}\n"
            )
    return "\n".join(out)


@dataclass
class Step:
    """Everything measured at one size."""

    responses: int
    load: LoadTiming
    rebuild: RebuildTiming
    sql_rebuild: SqlRebuild | None
    duck_load: DuckLoad
    duels: list[Duel]
    page: PageTiming | None
    rollup_rows: int
    rollup_mib: float
    responses_mib: float
    memory: dict[str, tuple[float, float]]
    duck: Any  # the DuckDB connection with this size's raw responses, kept for the scaling check


@dataclass
class Read:
    """One dashboard read at one period: cxloop's way, DuckDB's way, and the slice's size."""

    name: str
    days: int
    cxloop: Callable[[], dict]
    duck: Callable[[], dict]
    slice_counts: Callable[[], tuple[int, int]]  # (roll-up rows, raw rows) in slice and period


def read_scope(world: World, now: datetime, days: int):
    """The organisation (for the tree), the department (for the trend) and the period's filters."""
    from django.utils import timezone

    from cxloop.dashboards.queries import Filters
    from cxloop.orgs.models import Organisation, Unit

    today = timezone.localdate(now)
    return (
        Organisation.objects.get(pk=world.organisation_ids[0]),
        Unit.objects.get(path=world.unit_paths[TREND_UNIT]),
        Filters(since=today - timedelta(days=days - 1), until=today),
    )


def reads(world: World, duck, now: datetime) -> list[Read]:
    """The three reads at each period."""
    from cxloop.dashboards.models import ChannelJourneyDayScore, UnitDayScore

    result = []
    orgs = list(world.organisation_ids)
    unit_rows, channel_rows = UnitDayScore._meta.db_table, ChannelJourneyDayScore._meta.db_table
    for days in PERIODS:
        organisation, unit, filters = read_scope(world, now, days)
        since, until = filters.since, filters.until

        def counts(
            table: str, pg: str, duck_condition: str, params: list, since=since, until=until
        ):
            def count() -> tuple[int, int]:
                rollup = scalar(
                    f"SELECT count(*) FROM {table} WHERE day BETWEEN %s AND %s AND {pg}",
                    [since, until, *params],
                )
                raw = duck.execute(
                    f"SELECT count(*) FROM raw WHERE day BETWEEN ? AND ? AND {duck_condition}",
                    [since, until, *params],
                ).fetchone()[0]
                return rollup, raw

            return count

        result += [
            Read(
                "organisation roll-up (unit_tree)",
                days,
                lambda f=filters, o=organisation: cxloop_unit_tree(o, f),
                lambda s=since, u=until, o=organisation: duck_unit_tree(duck, o.pk, s, u),
                counts(unit_rows, "organisation_id = %s", "organisation_id = ?", [organisation.pk]),
            ),
            Read(
                "unit x week with limits (trend)",
                days,
                lambda f=filters, n=unit: cxloop_trend(n, f),
                lambda s=since, u=until, n=unit: duck_trend(duck, n.path, s, u),
                counts(
                    unit_rows,
                    "starts_with(unit_path, %s)",
                    "starts_with(unit_path, ?)",
                    [unit.path],
                ),
            ),
            Read(
                "channel x journey",
                days,
                lambda f=filters: cxloop_channel_journey(orgs, f),
                lambda s=since, u=until: duck_channel_journey(duck, orgs, s, u),
                counts(
                    channel_rows,
                    "organisation_id IN (%s, %s, %s)",
                    "organisation_id IN (?, ?, ?)",
                    orgs,
                ),
            ),
        ]
    return result


def measure_step(
    world: World, *, target: int, loaded: int, now: datetime, args, workdir: Path, plans: list[str]
) -> Step:

    from cxloop.dashboards.models import DailyScore
    from cxloop.responses.models import Response

    memory: dict[str, tuple[float, float]] = {}
    log(f"loading responses {loaded + 1:,} .. {target:,} ...")
    with phase_memory(memory, "load"):
        load = load_responses(
            world, first_id=loaded + 1, count=target - loaded, now=now, counted=args.counted
        )
    log(
        f"loaded {load.rows:,} in {load.total:.1f} s (insert {load.insert:.1f} s, indexes {load.create_indexes:.1f} s); rebuild() ..."
    )

    rebuild = run_rebuild()
    memory["rollups.rebuild()"] = (rebuild.rss_before, rebuild.rss_peak)
    for table in rollup_tables():
        sql_exec(f"VACUUM ANALYZE {table}")
    rollup_rows = DailyScore.objects.count()
    log(f"rebuild(): {rollup_rows:,} rows in {rebuild.seconds:.1f} s; SQL-only variant ...")

    sql_rebuild = None
    if not args.no_sql_rebuild:
        sql_rebuild = run_sql_rebuild()
        log(
            f"SQL-only rebuild: {sql_rebuild.rows:,} rows in {sql_rebuild.seconds:.1f} s, {sql_rebuild.differing} differing; exporting to DuckDB ..."
        )
        sql_exec(f"VACUUM ANALYZE {DailyScore._meta.db_table}")  # (the reference wrote elsewhere)

    with phase_memory(memory, "export + DuckDB load"):
        duck, duck_load = load_duckdb(world, workdir)
    assert duck_load.rows == Response.objects.filter(submitted_at__isnull=False).count()
    log(
        f"DuckDB: exported in {duck_load.export:.1f} s, loaded in {duck_load.load:.1f} s; measuring reads ..."
    )

    duels = []
    with phase_memory(memory, "reads"):
        for read in reads(world, duck, now):
            duels.append(
                duel(read.name, read.days, read.cxloop, read.duck, args.repeat, read.slice_counts())
            )
        for days in PERIODS:
            organisation, unit, filters = read_scope(world, now, days)
            plans.append(
                f"===== {target:,} responses, {days} days =====\n"
                + explain_reads(world, organisation, unit, filters)
            )

    page = None
    if not args.no_page:
        with phase_memory(memory, "page"):
            page = time_page(world, args.repeat)
        log(f"page: {page.median * 1000:.0f} ms")

    sizes = (
        sum(scalar("SELECT pg_total_relation_size(%s)", [table]) for table in rollup_tables()),
        scalar("SELECT pg_total_relation_size(%s)", [Response._meta.db_table]),
    )
    return Step(
        target,
        load,
        rebuild,
        sql_rebuild,
        duck_load,
        duels,
        page,
        rollup_rows,
        sizes[0] / 2**20,
        sizes[1] / 2**20,
        memory,
        duck,
    )


# --------------------------------------------------------------------------------------------
# Scaling: both sizes measured alternately at the end of the run
# --------------------------------------------------------------------------------------------

SMALL_SUFFIX = "_bench_small"


def rollup_tables() -> list[str]:
    from cxloop.dashboards import rollups
    from cxloop.dashboards.models import DailyScore

    return [DailyScore._meta.db_table] + [c.model._meta.db_table for c in rollups.COMPACTS]


def snapshot_rollups() -> None:
    """Keep the first size's roll-up rows (with the same indexes) for the scaling check."""
    for table in rollup_tables():
        sql_exec(f"DROP TABLE IF EXISTS {table}{SMALL_SUFFIX}")
        sql_exec(f"CREATE TABLE {table}{SMALL_SUFFIX} (LIKE {table} INCLUDING ALL)")
        sql_exec(f"INSERT INTO {table}{SMALL_SUFFIX} SELECT * FROM {table}")
        sql_exec(f"VACUUM ANALYZE {table}{SMALL_SUFFIX}")


def drop_snapshot() -> None:
    for table in rollup_tables():
        sql_exec(f"DROP TABLE {table}{SMALL_SUFFIX}")


@contextmanager
def small_rollups_in_place():
    """Swap the first size's roll-up tables in under the models' table names, and back."""
    from django.db import transaction

    def swap(a: str, b: str) -> None:
        with transaction.atomic():
            for table in rollup_tables():
                sql_exec(f"ALTER TABLE {table}{a} RENAME TO {table}_bench_swap")
                sql_exec(f"ALTER TABLE {table}{b} RENAME TO {table}{a}")
                sql_exec(f"ALTER TABLE {table}_bench_swap RENAME TO {table}{b}")

    swap("", SMALL_SUFFIX)
    try:
        yield
    finally:
        swap("", SMALL_SUFFIX)


@dataclass
class Scaled:
    name: str
    days: int
    runs: dict[str, list[float]]  # "cxloop small", "cxloop big", "duckdb small", "duckdb big"


def measure_scaling(
    world: World,
    small: Step,
    big: Step,
    now: datetime,
    *,
    blocks: int,
    repeat: int,
    with_page: bool = True,
) -> tuple[list[Scaled], dict[str, list[float]]]:
    """Every read (and the page) at both sizes, in alternating blocks, so that the machine's
    changing load hits both sizes alike; each first call of a block is checked, not timed."""
    by_size = {"small": reads(world, small.duck, now), "big": reads(world, big.duck, now)}
    scaled = [Scaled(r.name, r.days, {}) for r in by_size["big"]]
    page: dict[str, list[float]] = {"small": [], "big": []}
    client, url = page_client(world)
    for block in range(blocks):
        for size in ("small", "big") if block % 2 == 0 else ("big", "small"):
            with small_rollups_in_place() if size == "small" else nullcontext():
                for result, read in zip(scaled, by_size[size], strict=True):
                    same_numbers(
                        read.cxloop(), read.duck(), f"{read.name} ({read.days} days, {size})"
                    )
                    for who, call in (("cxloop", read.cxloop), ("duckdb", read.duck)):
                        runs = result.runs.setdefault(f"{who} {size}", [])
                        for _ in range(repeat):
                            started = time.perf_counter()
                            call()
                            runs.append(time.perf_counter() - started)
                if not with_page:
                    continue
                assert client.get(url).status_code == 200
                for _ in range(repeat):
                    started = time.perf_counter()
                    client.get(url)
                    page[size].append(time.perf_counter() - started)
    return scaled, page


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def print_step(step: Step) -> None:
    print()
    print(f"== {step.responses:,} responses ==")
    load = step.load
    print(
        f"  load of {load.rows:,} responses: {load.total:,.1f} s (drop indexes {load.drop_indexes:.1f}, INSERT ... SELECT"
        f" {load.insert:.1f}, recreate indexes {load.create_indexes:.1f}, VACUUM ANALYZE {load.vacuum_analyze:.1f});"
        f" responses table {step.responses_mib:,.0f} MiB with indexes"
    )
    r = step.rebuild
    print(
        f"  rollups.rebuild(): {r.seconds:,.1f} s for {r.rows:,} day rows ({step.responses / max(r.rows, 1):.1f} responses per row)"
        f" and {r.compact_rows:,} compact rows; RSS {r.rss_before:,.0f} -> peak {r.rss_peak:,.0f} MiB"
    )
    print(
        f"    UPDATE counted ({r.updated_rows:,} uncounted) {r.update_counted:.1f} s | LOCK TABLE {r.lock:.1f} s |"
        f" day rows grouped {r.group:.1f} s, written {r.write_days:.1f} s | compact rows {r.write_compact:.1f} s |"
        f" COMMIT {r.commit:.1f} s | rest (Python) {r.python:.1f} s"
    )
    if step.sql_rebuild:
        s = step.sql_rebuild
        print(
            f"  SQL reference (the benchmark's own, not cxloop code): one INSERT ... SELECT ... GROUP BY of the day rows:"
            f" {s.seconds:,.1f} s, {s.rows:,} rows, rows differing from rebuild(): {s.differing}"
        )
        print(
            f"  ratio rollups.rebuild / SQL reference: {r.seconds / s.seconds:.2f}"
            f" (peak RSS during rebuild {r.rss_peak:,.0f} MiB, {r.rss_peak - r.rss_before:+,.0f} MiB)"
        )
    d = step.duck_load
    print(
        f"  DuckDB: COPY to CSV {d.export:.1f} s ({d.csv_mib:,.0f} MiB), read_csv into memory {d.load:.1f} s, {d.rows:,} rows"
    )
    print(
        f"  roll-ups: {step.rollup_rows:,} day rows and {step.rebuild.compact_rows:,} compact rows,"
        f" {step.rollup_mib:,.0f} MiB with indexes"
    )
    print()
    print(
        f"  {'read':<34}{'days':>5}{'roll-up rows':>14}{'raw rows':>12}{'cxloop ms (min)':>18}{'of it SQL':>11}{'duckdb ms (min)':>18}{'duckdb/cxloop':>15}"
    )
    for x in step.duels:
        print(
            f"  {x.name:<34}{x.days:>5}{x.rollup_rows:>14,}{x.raw_rows:>12,}"
            f"{ms(x.cxloop) + ' (' + ms(min(x.cxloop_runs)) + ')':>18}{x.cxloop_sql / x.cxloop_total:>11.0%}"
            f"{ms(x.duck) + ' (' + ms(min(x.duck_runs)) + ')':>18}{x.duck / x.cxloop:>15.2f}"
        )
    print(
        "  counts identical in every read: yes (asserted; NPS, CSAT and CES counts, scores, intervals, control limits)"
    )
    if step.page:
        p = step.page
        print(
            f"  organisation page GET /organisations/<slug>/ (90 days, median of {len(p.runs)}): {ms(p.median)} ms;"
            f" {p.statements} SQL statements taking {ms(p.sql_seconds)} ms; {p.bytes / 1024:,.0f} KiB of HTML"
        )
    print(
        "  memory (RSS MiB before -> peak during): "
        + "; ".join(f"{k} {a:,.0f} -> {b:,.0f}" for k, (a, b) in step.memory.items())
    )


def print_scaling(
    small: Step, big: Step, scaled: list[Scaled], page: dict[str, list[float]], repeat: int
) -> None:
    def cell(runs: list[float]) -> str:
        return f"{ms(statistics.median(runs))} ({ms(min(runs))})"

    def ratio(a: list[float], b: list[float]) -> str:
        return f"{statistics.median(b) / statistics.median(a):.2f}"

    print()
    print(
        f"== does the page's time grow with the responses? {small.responses:,} -> {big.responses:,}"
        f" (x{big.responses / small.responses:.0f}), both sizes measured alternately =="
    )
    print(
        f"  roll-up rows: {small.rollup_rows:,} -> {big.rollup_rows:,} (x{big.rollup_rows / small.rollup_rows:.2f});"
        f" ms, median (min) of {len(scaled[0].runs['cxloop big'])} runs per size"
        f" ({len(scaled[0].runs['cxloop big']) // repeat} blocks of {repeat})"
    )
    print(
        f"  {'read':<34}{'days':>5}{'cxloop small':>18}{'cxloop big':>18}{'ratio':>7}"
        f"{'duckdb small':>18}{'duckdb big':>18}{'ratio':>7}"
    )
    for x in scaled:
        r = x.runs
        print(
            f"  {x.name:<34}{x.days:>5}{cell(r['cxloop small']):>18}{cell(r['cxloop big']):>18}"
            f"{ratio(r['cxloop small'], r['cxloop big']):>7}{cell(r['duckdb small']):>18}"
            f"{cell(r['duckdb big']):>18}{ratio(r['duckdb small'], r['duckdb big']):>7}"
        )
    if page["big"]:
        print(
            f"  {'organisation page (HTTP, 90 days)':<34}{'':>5}{cell(page['small']):>18}{cell(page['big']):>18}"
            f"{ratio(page['small'], page['big']):>7}"
        )


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--responses",
        type=int,
        default=DEFAULT_RESPONSES,
        help="responses at the second (largest) size",
    )
    parser.add_argument(
        "--first", type=int, default=None, help="responses at the first size (default: a tenth)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_RESPONSES // 10:,} then {QUICK_RESPONSES:,} responses",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=7,
        help="timed runs of every read (after a warm-up); the median is reported",
    )
    parser.add_argument(
        "--counted",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load responses already counted (as add_response leaves them); --no-counted makes rebuild() flip every one",
    )
    parser.add_argument(
        "--no-sql-rebuild", action="store_true", help="skip the SQL-only rebuild variant"
    )
    parser.add_argument("--no-page", action="store_true", help="skip the HTTP page timing")
    parser.add_argument(
        "--blocks", type=int, default=4, help="alternating blocks of the two sizes at the end"
    )
    parser.add_argument(
        "--block-repeat", type=int, default=3, help="timed runs of every read per block"
    )
    parser.add_argument(
        "--seed", type=float, default=0.42, help="seed for PostgreSQL's random() (-1..1)"
    )
    parser.add_argument(
        "--plans",
        type=Path,
        default=None,
        help="write EXPLAIN ANALYZE of cxloop's reads here",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.responses = QUICK_RESPONSES
    if args.first is None:
        args.first = args.responses // 10
    if not 0 < args.first < args.responses:
        parser.error("need 0 < --first < --responses")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import duckdb  # before the long load, not after it
    except ImportError:
        raise SystemExit(
            "this benchmark needs DuckDB: .venv/bin/pip install -e '.[bench]'"
        ) from None
    url = os.environ.get("CXLOOP_BENCH_DASHBOARDS_DATABASE_URL", DEFAULT_BENCH_URL)
    now = datetime.now(UTC).replace(microsecond=0)
    wall = time.perf_counter()

    log(f"setting up {url} ...")
    recreate_database(url)
    setup_django(url)
    migrate()
    sql_exec("SELECT setseed(%s)", [args.seed])
    world = create_world()
    load_customers(world, now)

    from django.db import connection

    plans: list[str] = []
    steps = []
    loaded = 0
    with tempfile.TemporaryDirectory(prefix="cxloop-bench-dash-") as tmp:
        for target in (args.first, args.responses):
            sql_exec("SELECT setseed(%s)", [args.seed * (1 if target == args.first else -1)])
            steps.append(
                measure_step(
                    world,
                    target=target,
                    loaded=loaded,
                    now=now,
                    args=args,
                    workdir=Path(tmp),
                    plans=plans,
                )
            )
            loaded = target
            print_step(steps[-1])
            sys.stdout.flush()
            if target == args.first:
                snapshot_rollups()

    log("measuring both sizes alternately ...")
    scaled, page = measure_scaling(
        world,
        steps[0],
        steps[1],
        now,
        blocks=args.blocks,
        repeat=args.block_repeat,
        with_page=not args.no_page,
    )
    for step in steps:
        step.duck.close()
    drop_snapshot()
    print_scaling(steps[0], steps[1], scaled, page, args.block_repeat)
    server = scalar("SHOW server_version")
    settings_row = sql_exec(
        "SELECT current_setting('shared_buffers'), current_setting('work_mem')"
    )[0]
    print()
    print(
        f"  PostgreSQL {server} (shared_buffers {settings_row[0]}, work_mem {settings_row[1]}), DuckDB {duckdb.__version__}"
        f" in-process, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(
        f"  load average at the end (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} -- other work on the machine slows both"
    )
    print(
        f"  peak RSS of this process over the run: {rss_peak_total():,.0f} MiB (PostgreSQL's own memory not included)"
    )
    print(f"  wall time: {(time.perf_counter() - wall) / 60:.1f} min")
    if args.plans:
        args.plans.write_text("\n".join(plans))
        print(f"  plans written to {args.plans}")
    connection.close()
    return 0


def rss_peak_total() -> float:
    return max(_PEAK[0], rss_mib()[1])


if __name__ == "__main__":
    sys.exit(main())
