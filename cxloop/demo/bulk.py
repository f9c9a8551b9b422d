"""Fast inserts for generated data: plain `executemany` with ids handed out by the caller.

`bulk_create` compiles SQL for every row; at a million rows that is most of the time, while
SQLite and PostgreSQL themselves take a fraction of it. These helpers are for loading data a
program made up (the demo), inside one transaction that holds the write lock, not for
input from users: nothing here validates.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar, cast

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from cxloop.lib import bulksql

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """The items in lists of at most `size`, drawn lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def first_free_id(model: type[models.Model]) -> int:
    """The id after the highest one in the table."""
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


@contextmanager
def roomy_cache(megabytes: int = 256) -> Iterator[None]:
    """On SQLite, a larger page cache while loading, restored afterwards.

    Rows arrive in random order for most indexes (customer, time, unit path); with SQLite's
    default 2 MB cache those inserts thrash, and a 256 MB cache halves a million-answer load.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """Move the id sequences past the ids handed out by hand, as loaddata does (a no-op on SQLite)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cursor.execute(sql)


def insert_rows(
    model: type[models.Model], names: tuple[str, ...], rows: list[tuple], *, now: datetime
) -> int:
    """INSERT rows whose values follow `names`; every other column gets its field's default."""
    if not rows:
        return 0
    meta = model._meta
    named = [_column(model, name) for name in names]
    rest = [f for f in meta.concrete_fields if f.name not in names and not f.primary_key]
    extra = _defaults(rest, now)
    times = [i for i, f in enumerate(named) if isinstance(f, models.DateTimeField)]
    adapt = connection.ops.adapt_datetimefield_value
    values = []
    for row in rows:
        adapted = list(row)
        for (
            i
        ) in times:  # the one conversion the database driver does not do the way Django stores it
            adapted[i] = adapt(adapted[i])
        values.append((*adapted, *extra))
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(meta.db_table, [*named, *rest]), values)
    return len(rows)


def _column(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):  # a reverse relation has no column to insert into
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _defaults(fields: list[models.Field], now: datetime) -> tuple[Any, ...]:
    """Database values of the fields' defaults (auto_now(_add): `now`)."""
    return tuple(bulksql.column_default(f, now) for f in fields)


def _insert_sql(table: str, fields: list[models.Field]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)  # concrete: never None
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})"
