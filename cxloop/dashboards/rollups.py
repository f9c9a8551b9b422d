"""Keeping the daily roll-ups: one response counted as it arrives or changes, or everything rebuilt.

A response counts from its first tapped score and may change afterwards (more answers on the
page, another score, a scanner's taps taken back out), so counting one response recounts the
day rows it touches from the responses themselves: the row it was counted in before and the row
it belongs in now, then the compact rows (models.UnitDayScore, ChannelJourneyDayScore) those
two rows are part of, from the day rows. That is idempotent: the response's `counted` flag flips
in the same transaction, so a task that runs twice (or a sweeper that finds it too) changes nothing.

Locks are always taken in one order, by live counting and by a rebuild alike: the response(s),
then day rows (by key), then unit, employee and channel × journey rows (each by their fields). So a rebuild can run while
workers count.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate

from cxloop.dashboards.models import (
    COUNT_FIELDS,
    ChannelJourneyDayScore,
    DailyScore,
    EmployeeDayScore,
    UnitDayScore,
)
from cxloop.responses.models import Response

KEY_FIELDS = (
    "organisation_id",
    "unit_id",
    "employee_id",
    "journey_type_id",
    "channel_id",
    "touchpoint_id",
)
# What a day row holds, as aggregates over responses (the same for one row and for a rebuild).
TOTALS = {
    "promoters": Count("pk", filter=Q(nps__gte=9)),
    "passives": Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
    "detractors": Count("pk", filter=Q(nps__lte=6)),
    "csat_n": Count("csat"),
    "csat_top2": Count("pk", filter=Q(csat__gte=4)),
    "ces_n": Count("ces"),
    "ces_sum": Sum("ces", default=0),
    "ces_sum_squares": Sum(F("ces") * F("ces"), default=0),
}
SUMS = {name: Sum(name, default=0) for name in COUNT_FIELDS}
# A rebuild works through the days in slices this long, each in its own short transaction.
SLICE_DAYS = 31
REBUILD_WORK_MEM = "64MB"
# Where a rebuild puts one slice's day rows before writing them (dropped within the slice).
SLICE_TABLE = "dashboards_rebuild_slice"
DAY_ROW_COLUMNS = ("key", "day", "unit_path", "segment", *KEY_FIELDS, *COUNT_FIELDS)


@dataclass(frozen=True)
class Compact:
    """A compact roll-up: which DailyScore rows it sums (those with `required` set), over what."""

    model: type[models.Model]
    dimensions: tuple[str, ...]  # besides the day
    required: tuple[str, ...] = ()

    def holds(self, row: DailyScore) -> bool:
        return all(getattr(row, name) is not None for name in self.required)

    def dims_of(self, row: DailyScore) -> tuple:
        return (row.day, *(getattr(row, name) for name in self.dimensions))

    def sources(self) -> QuerySet[DailyScore]:
        return DailyScore.objects.filter(**{f"{name}__isnull": False for name in self.required})


# In lock order (after the day rows).
COMPACTS = (
    Compact(UnitDayScore, ("organisation_id", "unit_path", "segment")),
    Compact(EmployeeDayScore, ("organisation_id", "unit_path", "employee_id", "segment")),
    Compact(
        ChannelJourneyDayScore,
        ("organisation_id", "journey_type_id", "channel_id"),
        required=("journey_type_id", "channel_id"),
    ),
)


def local_day(response: Response) -> date:
    return response.submitted_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def rollup_key(day: date, values: dict) -> str:
    ids = "|".join(str(values[field] or "") for field in KEY_FIELDS)
    return f"{day.isoformat()}|{ids}|{values.get('segment') or ''}"


def _values(response: Response) -> dict:
    return {field: getattr(response, field) for field in KEY_FIELDS} | {
        "segment": response.customer.segment
    }


def key_of(response: Response) -> str:
    """The roll-up row a counting response belongs in."""
    return rollup_key(local_day(response), _values(response))


def mark_changed(response: Response) -> None:
    """Before a response's scores or submitted time change: count it again (the caller saves it).

    The row it is counted in is remembered first, so that it can be taken out of that row even
    when it no longer counts (responses counted by `rebuild` carry no key yet).
    """
    if response.counted and not response.counted_key and response.submitted_at is not None:
        response.counted_key = key_of(response)
    response.counted = False


# --- one response at a time -------------------------------------------------------------------


def add_response(*, response_id: int) -> bool:
    """Bring the roll-ups in line with a response as it is now; False if it was counted already."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=response_id, counted=False)
            .first()
        )
        if response is None:
            return False
        keys = {response.counted_key} - {""}
        key = ""
        if response.submitted_at is not None:
            key = key_of(response)
            keys.add(key)
        rows = []
        for row_key in sorted(keys):  # one order, so two workers never wait on each other
            if row_key == key:
                _row_for(key, local_day(response), _values(response), response.unit_path)
            row = _recount(row_key)
            if row is not None:
                rows.append(row)
        for compact in COMPACTS:
            for dims in sorted({compact.dims_of(row) for row in rows if compact.holds(row)}):
                _recount_compact(compact, dims)
        Response.objects.filter(pk=response.pk).update(counted=True, counted_key=key)
    return True


def _recount(key: str) -> DailyScore | None:
    """Recompute one day row from the responses it covers, under a lock on the row."""
    row = DailyScore.objects.select_for_update().filter(key=key).first()
    if row is None:
        return None  # rebuilt meanwhile without it: nothing of it left to correct
    totals = _covered(row).aggregate(**TOTALS)
    DailyScore.objects.filter(pk=row.pk).update(**{name: totals[name] or 0 for name in TOTALS})
    return row


def _covered(row: DailyScore) -> QuerySet[Response]:
    """The counting responses of the row's local day, attribution and segment."""
    start, end = _bounds(row.day, row.day)
    return Response.objects.filter(
        submitted_at__gte=start,
        submitted_at__lt=end,
        customer__segment=row.segment,
        **{field: getattr(row, field) for field in KEY_FIELDS},  # None matches NULL
    )


def _row_for(key: str, day: date, values: dict, unit_path: str) -> None:
    if DailyScore.objects.filter(key=key).exists():
        return
    try:
        with transaction.atomic():
            DailyScore.objects.create(key=key, day=day, unit_path=unit_path, **values)
    except IntegrityError:
        pass  # a parallel worker created it first


def _recount_compact(compact: Compact, dims: tuple) -> None:
    """Recompute one compact row from the day rows it sums, under a lock on the row."""
    match = dict(zip(("day", *compact.dimensions), dims, strict=True))
    manager = compact.model.objects  # type: ignore[attr-defined]
    row = manager.select_for_update().filter(**match).first()
    if row is None:
        try:
            with transaction.atomic():
                row = manager.create(**match)  # the new row stays locked until commit
        except IntegrityError:
            row = manager.select_for_update().get(**match)  # a parallel worker made it first
    totals = compact.sources().filter(**match).aggregate(**SUMS)
    manager.filter(pk=row.pk).update(**totals)


def uncounted(*, limit: int = 1000) -> list[int]:
    """Responses whose roll-up rows do not show them as they are now (for the sweeper)."""
    return list(
        Response.objects.filter(counted=False)
        .filter(Q(submitted_at__isnull=False) | ~Q(counted_key=""))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- everything -------------------------------------------------------------------------------


def rebuild() -> int:
    """Recompute every roll-up row from the responses; returns the day rows there are now.

    The work is done by the database (SELECT ... GROUP BY into a temporary table, then the day
    rows brought in line with it), a slice of days at a time, each in a short transaction: memory
    stays flat and live counting waits at most one slice.
    """
    days = _days_to_rebuild()
    if days is None:
        return 0
    first, last = days
    written = 0
    while first <= last:
        until = min(first + timedelta(days=SLICE_DAYS - 1), last)
        written += _rebuild_slice(first, until)
        first = until + timedelta(days=1)
    return written


def _days_to_rebuild() -> tuple[date, date] | None:
    """From the first to the last day that has responses or roll-up rows."""
    tz = ZoneInfo(settings.TIME_ZONE)
    moments = Response.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    rows = DailyScore.objects.aggregate(first=Min("day"), last=Max("day"))
    days = [rows["first"], rows["last"]] + [
        moment.astimezone(tz).date() for moment in moments.values() if moment is not None
    ]
    known = [day for day in days if day is not None]
    return (min(known), max(known)) if known else None


@transaction.atomic
def _rebuild_slice(since: date, until: date) -> int:
    start, end = _bounds(since, until)
    _mark_counted(since, until, start, end)
    _lock_rollup_tables()
    with _grouping_in_memory():
        written = _write_day_rows(since, until, start, end)
        for compact in COMPACTS:
            compact.model.objects.filter(day__gte=since, day__lte=until).delete()  # type: ignore[attr-defined]
            _insert_compact_rows(compact, since, until)
    return written


def _mark_counted(since: date, until: date, start: datetime, end: datetime) -> None:
    """Responses this slice counts as they are: those now in it whose old row (if any) is in it
    too. Locking them first (as live counting does) holds off a change until the slice is
    written. A response moved here from another slice, or away, is left for live counting."""
    keys_in_slice = Q(counted_key__gte=since.isoformat()) & Q(
        counted_key__lt=(until + timedelta(days=1)).isoformat()
    )
    submitted_in_slice = Q(submitted_at__gte=start, submitted_at__lt=end)
    Response.objects.filter(
        (submitted_in_slice & keys_in_slice)
        | (submitted_in_slice & Q(counted=False, counted_key=""))
        | (keys_in_slice & Q(counted=False, submitted_at__isnull=True))
    ).update(counted=True, counted_key="")


def _lock_rollup_tables() -> None:
    """Hold off live counting's writes to the roll-ups until this slice commits (PostgreSQL;
    SQLite lets one writer at a time anyway)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        tables = [DailyScore._meta.db_table] + [c.model._meta.db_table for c in COMPACTS]
        for table in tables:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


@contextmanager
def _grouping_in_memory() -> Iterator[None]:
    """While a slice is written, its groups are hashed in memory (REBUILD_WORK_MEM) rather than
    sorted; the settings before are restored after it (PostgreSQL).

    Hashed, not sorted: PostgreSQL cannot know that an employee decides the organisation and the
    unit, so it expects nearly a group per response, too many to hash, and sorts the slice's
    responses instead (2-3 times slower at 10M responses: 4.4 s against 1.2-2.0 s a slice). The
    groups are far fewer and fit; should a slice ever hold more, hashing spills to disk, so memory
    stays bounded either way. Restored, not left to the end of the transaction: a rebuild called
    inside a longer transaction must not leave every later query of it without sorting."""
    if connection.vendor != "postgresql":
        yield
        return
    wanted = {"work_mem": REBUILD_WORK_MEM, "enable_sort": "off"}
    with connection.cursor() as cursor:
        before = {}
        for name, value in wanted.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            before[name] = cursor.fetchone()[0]
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])  # SET LOCAL
    # On an error the slice's transaction (or savepoint) rolls back, and the settings with it.
    yield
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _write_day_rows(since: date, until: date, start: datetime, end: datetime) -> int:
    """Bring the slice's day rows in line with its responses; returns how many it holds now.

    They are grouped into a temporary table first; then the rows no longer there are deleted, the
    changed ones updated and the new ones inserted (the roll-up tables are locked: nobody else
    writes them meanwhile). A rebuild mostly finds the rows it computes already there: their
    counts are in no index, so updating them in place (PostgreSQL's HOT update, for which the
    table keeps room on its pages: migration 0004) leaves DailyScore's indexes alone, where
    deleting and inserting them again wrote every index anew (twice the time of writing them
    into an empty table). Rows that did not change are not written at all.
    """
    table = DailyScore._meta.db_table
    select, params = _day_rows_select(start, end)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {SLICE_TABLE} AS {select}", params)
        cursor.execute(f"SELECT count(*) FROM {SLICE_TABLE}")
        written = cursor.fetchone()[0]
        DailyScore.objects.filter(day__gte=since, day__lte=until).exclude(
            key__in=RawSQL(f"SELECT key FROM {SLICE_TABLE}", ())
        ).delete()
        # The slice's days as well as the key: DailyScore's day index finds the rows.
        days = f"{table}.day >= %s AND {table}.day <= %s"
        bounds = [connection.ops.adapt_datefield_value(day) for day in (since, until)]
        changed = ("unit_path", *COUNT_FIELDS)  # the others make up the key
        cursor.execute(
            f"UPDATE {table} SET "
            + ", ".join(f"{name} = s.{name}" for name in changed)
            + f" FROM {SLICE_TABLE} s WHERE {days} AND {table}.key = s.key AND ("
            + " OR ".join(f"{table}.{name} <> s.{name}" for name in changed)
            + ")",
            bounds,
        )
        quoted = ", ".join(connection.ops.quote_name(name) for name in DAY_ROW_COLUMNS)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {SLICE_TABLE} s WHERE NOT EXISTS"
            f" (SELECT 1 FROM {table} WHERE {days} AND {table}.key = s.key)",
            bounds,
        )
        cursor.execute(f"DROP TABLE {SLICE_TABLE}")
    return written


def _day_rows_select(start: datetime, end: datetime) -> tuple[str, tuple]:
    """SELECT of the day rows of the responses submitted in [start, end), as DAY_ROW_COLUMNS."""
    tz = ZoneInfo(settings.TIME_ZONE)
    grouped = (
        Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(
            rollup_day=TruncDate("submitted_at", tzinfo=tz),
            rollup_segment=F("customer__segment"),
        )
        .values("rollup_day", "rollup_segment", *KEY_FIELDS)
        # One unit has one path; the greatest is taken should a response's copy lag behind.
        .annotate(rollup_unit_path=Coalesce(Max("unit_path"), Value("")), **TOTALS)
        .order_by()
    )
    key = " || '|' || ".join(
        [_day_text("g.rollup_day"), *(f"COALESCE(CAST(g.{f} AS TEXT), '')" for f in KEY_FIELDS)]
        + ["g.rollup_segment"]
    )
    values = (
        key,
        "g.rollup_day",
        "g.rollup_unit_path",
        "g.rollup_segment",
        *(f"g.{name}" for name in KEY_FIELDS + COUNT_FIELDS),
    )
    sql, params = grouped.query.sql_with_params()
    columns = ", ".join(
        f"{value} AS {connection.ops.quote_name(name)}"
        for value, name in zip(values, DAY_ROW_COLUMNS, strict=True)
    )
    return f"SELECT {columns} FROM ({sql}) g", params


def _insert_compact_rows(compact: Compact, since: date, until: date) -> int:
    grouped = (
        compact.sources()
        .filter(day__gte=since, day__lte=until)
        .values("day", *compact.dimensions)
        .annotate(**{f"sum_{name}": Sum(name) for name in COUNT_FIELDS})
        .order_by()
    )
    columns = ("day", *compact.dimensions, *COUNT_FIELDS)
    values = (
        "g.day",
        *(f"g.{name}" for name in compact.dimensions),
        *(f"g.sum_{name}" for name in COUNT_FIELDS),
    )
    return _insert_select(compact.model, columns, values, grouped)


def _insert_select(model, columns: tuple[str, ...], values: tuple[str, ...], grouped) -> int:
    sql, params = grouped.query.sql_with_params()
    quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({quoted}) SELECT {', '.join(values)} FROM ({sql}) g",
            params,
        )
        return max(cursor.rowcount, 0)


def _day_text(column: str) -> str:
    """A date column as YYYY-MM-DD text, as rollup_key writes it."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM-DD')"
    return f"CAST({column} AS TEXT)"


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The days as [start, end) moments in the roll-ups' time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(since, time(0), tz),
        datetime.combine(until + timedelta(days=1), time(0), tz),
    )
