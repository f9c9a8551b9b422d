"""Recording a batch on PostgreSQL: customers, journeys and interactions each in one statement.

The same rows as the ORM path in `services.py` (tests compare both), without a model instance per
row: the batch's rows go to the server as one JSON parameter (`cxloop.lib.bulksql`) and come back
as ids. Locking is the ORM path's: new customers inserted in key order, then every customer of the
batch locked in id order, so two batches with overlapping customers wait for each other instead
of failing; while a batch holds its customers, no other batch writes their journeys.
"""

from datetime import datetime

from cxloop.customers.models import Customer
from cxloop.journeys.models import Interaction, Journey
from cxloop.lib import bulksql

JourneyKey = tuple[int, int, str]  # journey type, customer, the chain's journey id
JourneyTimes = tuple[datetime, datetime | None]  # start, end as the batch's items say


def lock_customers(
    chain_id: int, languages: dict[str, str], now: datetime
) -> tuple[dict[str, int], set[int]]:
    """The customers' ids by key (key: language if new), the missing ones created, all locked;
    and the ids of those created."""
    keys = list(languages)  # inserted in key order and locked in id order by the statements
    customers = Customer._meta.db_table
    # Rows this transaction inserts are its own until it commits (another batch inserting the same
    # key waits for it), so only the customers that existed before are locked: locking a row
    # writes it.
    created = dict(
        # A conflict needs another batch inserting the same new key meanwhile.
        bulksql.insert_rarely_conflicting(
            Customer,
            [{"chain_id": chain_id, "key": key, "language": languages[key]} for key in keys],
            now=now,
            # Only the missing: an existing key would still take an id from the sequence.
            where=f"NOT EXISTS (SELECT FROM {customers} c WHERE c.chain_id = r.chain_id"
            f" AND c.key = r.key {bulksql.PROBE_EACH})",
            order_by="r.key",
            on_conflict="(chain_id, key) DO NOTHING",
            returning="key, id",
        )
    )
    created_ids = set(created.values())
    existing = [key for key in keys if key not in created]
    if not existing:
        return created, created_ids
    # Found by a probe each, then locked in id order (as the planner locks them): with
    # `chain_id = … AND key = ANY(keys)` the planner, its statistics taken while the chain had
    # few customers, read all the chain's customers.
    found = bulksql.probe_each(
        Customer, "key", existing, where={"chain_id": chain_id}, columns=("key", "id")
    )
    locked = bulksql.lock_by_id(Customer, (pk for _, pk in found), columns=("key", "id"))
    return {**created, **dict(locked)}, created_ids


def follow_journeys(chain_id: int, wanted: dict[JourneyKey, JourneyTimes]) -> dict[JourneyKey, int]:
    """The journeys' ids, the missing ones created; a known one starts earlier or ends if told.

    One statement: INSERT … ON CONFLICT DO UPDATE of the start and end where they move, plus
    the ids of the known journeys that did not move (an index probe each: bulksql.PROBE_EACH).
    """
    journeys = Journey._meta.db_table
    rows = [
        {
            "journey_type_id": key[0],
            "customer_id": key[1],
            "external_id": key[2],
            "started_at": started,
            "ended_at": ended,
        }
        for key, (started, ended) in wanted.items()  # the statement inserts them in key order
    ]
    record = bulksql.record_type(Journey, list(rows[0]))
    statement = (
        f"WITH wanted AS (SELECT * FROM json_to_recordset(%s::json) AS {record}),"
        f" written AS (INSERT INTO {journeys} AS j"
        " (chain_id, journey_type_id, customer_id, external_id, started_at, ended_at)"
        " SELECT %s, journey_type_id, customer_id, external_id, started_at, ended_at FROM wanted"
        " ORDER BY journey_type_id, customer_id, external_id"
        " ON CONFLICT (journey_type_id, customer_id, external_id) DO UPDATE"
        " SET started_at = LEAST(j.started_at, EXCLUDED.started_at),"
        " ended_at = COALESCE(j.ended_at, EXCLUDED.ended_at)"
        " WHERE j.started_at > EXCLUDED.started_at"
        " OR (j.ended_at IS NULL AND EXCLUDED.ended_at IS NOT NULL)"
        " RETURNING id, journey_type_id, customer_id, external_id)"
        " SELECT id, journey_type_id, customer_id, external_id FROM written UNION ALL"
        " SELECT j.id, w.journey_type_id, w.customer_id, w.external_id FROM wanted w"
        f" CROSS JOIN LATERAL (SELECT id FROM {journeys} j WHERE j.journey_type_id ="
        " w.journey_type_id AND j.customer_id = w.customer_id AND j.external_id = w.external_id"
        f" {bulksql.PROBE_EACH}) j"
    )
    with bulksql.batch_cursor() as cursor:
        cursor.execute(statement, [bulksql.dumps(rows), chain_id])
        found = {(jt, customer, external): pk for pk, jt, customer, external in cursor.fetchall()}
    missing = [key for key in wanted if key not in found]
    if missing:
        # Written by a transaction that committed during the statement (not through a batch,
        # which would have held the customers): its row was not in the statement's snapshot.
        found.update(_journey_ids(missing))
    return found


def _journey_ids(keys: list[JourneyKey]) -> dict[JourneyKey, int]:
    rows = Journey.objects.filter(
        customer_id__in={key[1] for key in keys}, external_id__in={key[2] for key in keys}
    ).values_list("journey_type_id", "customer_id", "external_id", "pk")
    return {(jt, customer, external): pk for jt, customer, external, pk in rows}


def insert_interactions(rows: list[dict], now: datetime) -> dict[str, int]:
    """Insert the interactions (dicts by column), skipping external ids recorded meanwhile (the
    batch looked for them a moment ago: only a concurrent retry of the same request conflicts)."""
    inserted = bulksql.insert_rarely_conflicting(
        Interaction,
        rows,
        now=now,
        on_conflict="(organisation_id, external_id) DO NOTHING",
        returning="external_id, id",
    )
    return dict(inserted)


def recorded_before(organisation_id: int, external_ids: list[str]) -> dict[str, int]:
    """The ids of the organisation's interactions with these external ids: a probe each."""
    return dict(
        bulksql.probe_each(
            Interaction,
            "external_id",
            external_ids,
            where={"organisation_id": organisation_id},
            columns=("external_id", "id"),
        )
    )
