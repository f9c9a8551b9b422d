"""Set-based writes on PostgreSQL: many rows in one statement, sent as one JSON parameter.

`bulk_create` and `bulk_update` build a model instance per row and send one parameter per value
(`bulk_update` also a CASE per row, which PostgreSQL evaluates for every row: quadratic). Here the
rows travel as one JSON document that `json_to_recordset` turns into typed rows on the server:
the cost per row is that of encoding it as JSON. Columns a row leaves out get the model field's default
(`auto_now`/`auto_now_add`: `now`), as Django would have written.
"""

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pydantic_core
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import BooleanField, F, Func


def dumps(rows: Sequence[Any]) -> str:
    # pydantic's encoder (Rust, already a dependency through django-ninja) in a quarter of
    # json.dumps' time; datetimes and dates in ISO 8601 (UTC as `Z`), which PostgreSQL reads.
    return pydantic_core.to_json(rows).decode()


def batch_cursor() -> CursorWrapper:
    """A cursor for statements with large parameters (a batch's JSON document, an id array).

    On PostgreSQL it sends the parameters apart from the statement (server-side binding). Django's
    default cursor binds on the client: it writes a 1 MB document into the statement as a quoted
    literal, which psycopg quotes and PostgreSQL's parser reads again character by character,
    12.5 ms a megabyte against 2.8 ms sent apart (measured here). A 1,000-item batch sends about
    0.6 MB. Each statement is planned anew, as with Django's cursor (not prepared: generic plans
    and pooled connections are not worth the risk for a millisecond of planning). Django still
    sees every statement: execute wrappers and the query log wrap this cursor as their own.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.ensure_connection()
    raw = _unprepared_server_binding_cursor()(connection.connection)
    # As Django's own cursors do: timestamps read in the connection's time zone.
    adapters = connection.connection.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != getattr(loader, "timezone", None):
        register_tzloader(connection.timezone, raw)
    return (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )


@functools.cache
def _unprepared_server_binding_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Unprepared(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=False, binary=binary)

    return Unprepared


@contextlib.contextmanager
def meanwhile() -> Iterator[None]:
    """Statements executed in the block go to PostgreSQL without waiting for their results, so
    that the Python code after them in the block runs while the server works (psycopg's pipeline
    mode). The block's end waits for them and raises their errors as Django's; read their results
    after the block. Elsewhere a plain block.

    The block should run no statement whose result it reads: reading waits for every statement
    sent before it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def once(work: Callable[[], object] | None) -> Callable[[], None] | None:
    """`work` made to run at most once however often it is called (None stays None): Python
    work handed to a statement that runs again after a race runs once, whether the first
    attempt failed before or after it ran."""
    if work is None:
        return None
    pending = [work]

    def run() -> None:
        while pending:
            pending.pop()()

    return run


def int_array(values: Iterable[int]) -> str:
    """Integers as one PostgreSQL array literal, for a `%s::bigint[]` parameter: psycopg adapts
    a list element by element, at three times the cost."""
    return "{" + ",".join(map(str, values)) + "}"


class Among(Func):
    """`field IN ids` as a filter; on PostgreSQL one array parameter (`= ANY(%s)`).

    A thousand parameters cost more to quote and parse than the lookup itself, and `= ANY(array)`
    lets the planner probe the column's index once per value even before the table's statistics
    are fresh (with `IN (SELECT unnest(…))` it scanned the organisation's whole table instead).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, field_name: str, values: Iterable[Any]):
        super().__init__(F(field_name))
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            if set(map(type, self.values)) == {int}:
                return f"{column} = ANY(%s::bigint[])", [*params, int_array(self.values)]
            return f"{column} = ANY(%s)", [*params, self.values]
        return f"{column} IN ({', '.join(['%s'] * len(self.values))})", [*params, *self.values]


# Ends a LATERAL subquery (or an EXISTS) that finds at most one row by a unique key: the
# subquery stays a probe of that key's index per outer row. Without it PostgreSQL may join the
# whole table at once, and when the table's statistics are older than its growth (a fresh or
# fast-growing table: autovacuum analyzes it a minute later) it hashes or filters every row of
# the table per batch instead of probing a thousand keys.
PROBE_EACH = "LIMIT 1 OFFSET 0"


def _field(model: type[models.Model], column: str) -> models.Field:
    for field in model._meta.concrete_fields:
        if column in (field.column, field.attname, field.name):
            return field
    raise LookupError(f"{model.__name__} has no column {column!r}")


def _column(model: type[models.Model], column: str) -> str:
    return _field(model, column).column or column


def probe_each(
    model: type[models.Model],
    key: str,
    values: Sequence[Any],
    *,
    where: dict[str, Any],
    columns: Sequence[str],
    lock: str = "",
) -> list[tuple]:
    """`columns` of the model's rows whose `key` is one of `values` and whose `where` columns have
    the values given: at most one row per value, each found by one probe of the index on (where,
    key) whatever the table's statistics say (PROBE_EACH). With a `lock` ("UPDATE", "NO KEY
    UPDATE") each row is locked as it is found, so in the order of `values`. PostgreSQL only."""
    conditions = "".join(f" AND t.{_column(model, name)} = %s" for name in where)
    selected = ", ".join(f"t.{_column(model, name)}" for name in columns)
    # varchar without its length: a cast to varchar(128) would cut a longer value to fit.
    key_type = _field(model, key).db_type(connection) or "text"
    if key_type.startswith("varchar"):
        key_type = "varchar"
    with batch_cursor() as cursor:
        # The values as one JSON array: psycopg would adapt a list element by element.
        cursor.execute(
            f"SELECT {selected} FROM json_array_elements_text(%s::json) AS wanted (value)"
            f" CROSS JOIN LATERAL (SELECT * FROM {model._meta.db_table} t"
            f" WHERE t.{_column(model, key)} = CAST(wanted.value AS {key_type})"
            f"{conditions} {PROBE_EACH}{f' FOR {lock}' if lock else ''}) t",
            [dumps(list(values)), *where.values()],
        )
        return cursor.fetchall()


def lock_by_id(
    model: type[models.Model], ids: Iterable[int], *, columns: Sequence[str], no_key: bool = False
) -> list[tuple]:
    """`columns` of the rows with these ids, locked until commit in id order (so that two
    transactions locking overlapping rows wait for each other instead of deadlocking).

    On PostgreSQL a probe of the primary key each (probe_each): with `id = ANY(ids) ORDER BY id`
    the planner, on statistics taken while the table was small, read the whole table to lock a
    batch's rows. Elsewhere `SELECT … FOR UPDATE` in id order."""
    ordered = sorted(set(ids))
    if connection.vendor == "postgresql":
        lock = "NO KEY UPDATE" if no_key else "UPDATE"
        return probe_each(model, "id", ordered, where={}, columns=columns, lock=lock)
    return list(
        model._default_manager.select_for_update(no_key=no_key)
        .filter(Among("pk", ordered))
        .order_by("pk")
        .values_list(*columns)
    )


def record_type(model: type[models.Model], columns: Sequence[str], extra: str = "") -> str:
    """`r(column type, ...)` for json_to_recordset: the columns typed as the table types them."""
    typed = [f"{_column(model, c)} {_field(model, c).db_type(connection)}" for c in columns]
    return f"r({', '.join([*typed, *([extra] if extra else [])])})"


def column_default(field: models.Field, now: datetime) -> Any:
    """The value Django would write for a field a row leaves out (`auto_now`/`auto_now_add`: now)."""
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.get_db_prep_save(now if auto else field.get_default(), connection)


def _defaults(
    model: type[models.Model], given: Sequence[str], now: datetime
) -> tuple[list[str], list[str], list[Any]]:
    """The columns `given` leaves out, their SELECT expressions and the parameters those take."""
    given_columns = {_column(model, c) for c in given}
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or not field.column or field.column in given_columns:
            continue
        columns.append(field.column)
        expressions.append(f"CAST(%s AS {field.db_type(connection)})")
        params.append(column_default(field, now))
    return columns, expressions, params


def insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    now: datetime,
    order_by: str = "",
    on_conflict: str = "",
    returning: str = "",
    while_inserting: Callable[[], object] | None = None,
) -> list[tuple]:
    """INSERT the rows (dicts by column name, all with the same keys) in one statement.

    `order_by`, `on_conflict` (e.g. `(organisation_id, external_id) DO NOTHING`) and `returning`
    are SQL over the row columns; returns the RETURNING rows (none without `returning`).
    `while_inserting` runs while the server inserts (`meanwhile`).
    """
    if not rows:
        return []
    given = list(rows[0])
    missing, expressions, params = _defaults(model, given, now)
    table = model._meta.db_table
    statement = (
        f"INSERT INTO {table} ({', '.join([*(_column(model, c) for c in given), *missing])})"
        f" SELECT {', '.join([*(f'r.{_column(model, c)}' for c in given), *expressions])}"
        f" FROM json_to_recordset(%s::json) AS {record_type(model, given)}"
        + (f" ORDER BY {order_by}" if order_by else "")
        + (f" ON CONFLICT {on_conflict}" if on_conflict else "")
        + (f" RETURNING {returning}" if returning else "")
    )
    with batch_cursor() as cursor:
        if while_inserting is None:
            cursor.execute(statement, [*params, dumps(rows)])
        else:
            with meanwhile():
                cursor.execute(statement, [*params, dumps(rows)])
                while_inserting()
        return cursor.fetchall() if returning else []


def insert_rarely_conflicting(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, on_conflict: str, **options: Any
) -> list[tuple]:
    """`insert` for rows that conflict only in a race (the caller looked for them just before):
    a plain INSERT in a savepoint, and `ON CONFLICT on_conflict` only if it raced and lost.

    `ON CONFLICT` makes every row a speculative insertion (a check, a token and a second WAL
    record each): 20% of a 5,000-row INSERT into the interactions' ten indexes, measured here.
    """
    work = once(options.pop("while_inserting", None))
    try:
        with transaction.atomic():
            return insert(model, rows, while_inserting=work, **options)
    except IntegrityError:
        return insert(model, rows, on_conflict=on_conflict, while_inserting=work, **options)


def find_or_insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    now: datetime,
    order_by: str,
    on_conflict: str,
    returning: Sequence[str] = ("id",),
) -> list[tuple]:
    """For each row (dicts by column), the existing row with the same unique `key` columns or a
    new one inserted: `returning` (row columns, or `id`) and whether it is new, in one statement.

    Each row's key is probed once in its index (PROBE_EACH) and only the rows not found are
    inserted, in `order_by` order (SQL over the row columns `r.…`), without a speculative insertion
    each. If another transaction inserted one of those keys meanwhile, the statement runs again
    with `ON CONFLICT on_conflict` (DO NOTHING): a row that conflicted then is missing from the
    answer, and its key now finds the other transaction's row.
    """
    if not rows:
        return []
    given = list(rows[0])
    missing, expressions, params = _defaults(model, given, now)
    table, pk = model._meta.db_table, model._meta.pk.column
    matches = " AND ".join(f"t.{_column(model, c)} = r.{_column(model, c)}" for c in key)
    new = ", ".join(_column(model, c) for c in returning)
    known = ", ".join(
        "r.known_id" if _column(model, c) == pk else f"r.{_column(model, c)}" for c in returning
    )

    def statement(conflict: str) -> str:
        return (
            f"WITH r AS MATERIALIZED (SELECT * FROM json_to_recordset(%s::json) AS"
            f" {record_type(model, given)}),"
            f" found AS MATERIALIZED (SELECT r.*, t.{pk} AS known_id FROM r LEFT JOIN LATERAL"
            f" (SELECT t.{pk} FROM {table} t WHERE {matches} {PROBE_EACH}) t ON true),"
            f" created AS (INSERT INTO {table}"
            f" ({', '.join([*(_column(model, c) for c in given), *missing])})"
            f" SELECT {', '.join([*(f'r.{_column(model, c)}' for c in given), *expressions])}"
            f" FROM found r WHERE r.known_id IS NULL ORDER BY {order_by}"
            f"{conflict} RETURNING {new})"
            f" SELECT {new}, true FROM created UNION ALL"
            f" SELECT {known}, false FROM found r WHERE r.known_id IS NOT NULL"
        )

    document = dumps(rows)
    try:
        with transaction.atomic(), batch_cursor() as cursor:
            cursor.execute(statement(""), [document, *params])
            return cursor.fetchall()
    except IntegrityError:
        with batch_cursor() as cursor:
            cursor.execute(statement(f" ON CONFLICT {on_conflict}"), [document, *params])
            return cursor.fetchall()


def update(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE rows by primary key in one statement: each dict holds `id` and the new values."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "id"]
    table = model._meta.db_table
    assignments = ", ".join(f"{_column(model, c)} = r.{_column(model, c)}" for c in columns)
    with batch_cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments}"
            f" FROM json_to_recordset(%s::json) AS {record_type(model, ['id', *columns])}"
            " WHERE t.id = r.id",
            [dumps(rows)],
        )
