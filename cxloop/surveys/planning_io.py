"""The planner's database side: a batch's facts in a few set-based queries, its decisions and
invitations written in bulk.

Rows come back as plain tuples, not model instances: a batch of thousands of interactions is
decided in Python, and building (and later saving) an object per row cost more than the rules.
On PostgreSQL the id lists go as one array parameter and the rows are written with COPY.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, DateTimeField, Func, Max, Model, Q
from django.utils import timezone

from cxloop.customers import contacts
from cxloop.customers.models import ContactSharing, Customer, CustomerContact
from cxloop.journeys.models import Interaction
from cxloop.lib import bulksql
from cxloop.lib.bulksql import Among
from cxloop.surveys.models import Invitation, InvitationDecision

COUNTED_STATUSES = [
    s
    for s in Invitation.Status.values
    if s not in (Invitation.Status.CANCELLED, Invitation.Status.FAILED)
]


class Micros(Func):
    """A timestamp as whole microseconds since 1970 on PostgreSQL: an int loads many times faster
    than a datetime through Django's timestamptz loader. Elsewhere the timestamp itself, so read
    the value with to_micros()."""

    output_field = DateTimeField()  # no converter on PostgreSQL; SQLite's parses its text

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint", params

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def to_micros(value: int | datetime | None) -> int | None:
    """A value read through Micros: an int on PostgreSQL, a datetime (or None) elsewhere."""
    if value is None or isinstance(value, int):
        return value
    return micros(value)


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


@dataclass(slots=True)
class Supplied:
    """Contact details as one organisation (or nobody) supplied them (customers/contacts.py)."""

    email: str
    phone: str
    language: str
    email_invalid_at: datetime | None
    phone_invalid_at: datetime | None


def reachable(details: Iterable["Supplied | contacts.Supplied"]) -> frozenset[str]:
    """The channels these details can carry: "email" and "sms" where an address is usable."""
    channels = set()
    for supplied in details:
        if supplied.email and supplied.email_invalid_at is None:
            channels.add("email")
        if supplied.phone and supplied.phone_invalid_at is None:
            channels.add("sms")
    return frozenset(channels)


class CustomerRow(NamedTuple):
    chain_id: int
    key: str
    opted_out: bool
    unattributed: Supplied
    # reachable([unattributed]): most customers have no other details, so it is worked out once.
    reachable: frozenset[str]


def interactions(ids: Sequence[int]) -> list[tuple]:
    """The batch's interactions with what the rules read of their journeys, in decision order:
    id, customer_id, journey_id, organisation_id, occurred_at (microseconds), touchpoint_id,
    journey_type_id, the journey type's owner_id, whether the journey ended, its external id."""
    rows = (
        Interaction.objects.filter(Among("pk", ids))
        .order_by("occurred_at", "pk")
        .values_list(
            "pk",
            "customer_id",
            "journey_id",
            "organisation_id",
            Micros("occurred_at"),
            "touchpoint_id",
            "journey__journey_type_id",
            "journey__journey_type__owner_id",
            Micros("journey__ended_at"),
            "journey__external_id",
        )
    )
    if connection.vendor == "postgresql":
        return [(*row[:8], row[8] is not None, row[9]) for row in rows]
    return [(*row[:4], to_micros(row[4]), *row[5:8], row[8] is not None, row[9]) for row in rows]


def lock_customers(ids: Iterable[int]) -> dict[int, CustomerRow]:
    """Lock the customers in id order and read them; parallel planners serialise per customer.

    FOR NO KEY UPDATE: it still excludes a second planner and an opt-out, but not ingestion
    inserting new interactions for the customer (their foreign key check takes a key-share lock).
    """
    columns = (
        "id",
        "chain_id",
        "key",
        "opted_out_at",
        "email",
        "phone",
        "language",
        "email_invalid_at",
        "phone_invalid_at",
    )
    found = {}
    for pk, chain_id, key, opted_out_at, *details in bulksql.lock_by_id(
        Customer, ids, columns=columns, no_key=True
    ):
        own = Supplied(*details)
        found[pk] = CustomerRow(chain_id, key, opted_out_at is not None, own, reachable([own]))
    return found


def decided(interaction_ids: Sequence[int]) -> dict[int, bool]:
    """Interactions with a decision already: True when final, False when only waiting."""
    found: dict[int, bool] = {}
    for interaction_id, outcome in InvitationDecision.objects.filter(
        Among("interaction_id", interaction_ids)
    ).values_list("interaction_id", "outcome"):
        final = outcome != InvitationDecision.Outcome.WAITING
        found[interaction_id] = found.get(interaction_id, False) or final
    return found


@dataclass
class ContactHistory:
    """Per customer: the latest counted invitation (microseconds), how many fall in the cap
    period, and the journeys (of this batch) that already have one."""

    last: dict[int, int] = field(default_factory=dict)
    in_cap_period: dict[int, int] = field(default_factory=dict)
    journeys_asked: set[tuple[int, int]] = field(default_factory=set)

    def record(self, customer_id: int, journey_id: int, at: int, cap_since: int) -> None:
        if at > self.last.get(customer_id, at - 1):
            self.last[customer_id] = at
        if at > cap_since:
            self.in_cap_period[customer_id] = self.in_cap_period.get(customer_id, 0) + 1
        self.journeys_asked.add((customer_id, journey_id))


def contact_history(
    customer_ids: Sequence[int],
    journey_ids: Iterable[int],
    *,
    horizon: datetime,
    cap_since: datetime,
    history: ContactHistory,
) -> None:
    """Add the customers' counted invitations: per customer the latest since the horizon and the
    number in the cap period, and which of the batch's journeys already have one (at any time)."""
    counted = Invitation.objects.filter(
        Among("customer_id", customer_ids), status__in=COUNTED_STATUSES
    )
    per_customer = (
        counted.filter(send_after__gte=horizon)
        .values("customer_id")
        .annotate(
            last=Max(Micros("send_after")),
            in_cap_period=Count("pk", filter=Q(send_after__gt=cap_since)),
        )
        .values_list("customer_id", "last", "in_cap_period")
        .order_by()
    )
    for customer_id, last, in_cap_period in per_customer:
        history.last[customer_id] = to_micros(last)  # type: ignore[assignment]
        history.in_cap_period[customer_id] = in_cap_period
    history.journeys_asked.update(
        counted.filter(Among("journey_id", journey_ids)).values_list("customer_id", "journey_id")
    )


def complaining(customer_ids: Sequence[int]) -> set[int]:
    """Customers with a follow-up case that is not closed."""
    from cxloop.followup.models import FollowUpCase

    return set(
        FollowUpCase.objects.filter(Among("response__customer_id", customer_ids))
        .exclude(status=FollowUpCase.Status.CLOSED)
        .values_list("response__customer_id", flat=True)
    )


def contact_rows(customer_ids: Sequence[int]) -> dict[int, dict[int, Supplied]]:
    """Each customer's details per supplying organisation (most customers have none here)."""
    rows: dict[int, dict[int, Supplied]] = defaultdict(dict)
    for customer_id, organisation_id, *details in CustomerContact.objects.filter(
        Among("customer_id", customer_ids)
    ).values_list(
        "customer_id",
        "organisation_id",
        "email",
        "phone",
        "language",
        "email_invalid_at",
        "phone_invalid_at",
    ):
        rows[customer_id][organisation_id] = Supplied(*details)  # type: ignore[arg-type]
    return rows


def sharing_chains(chain_ids: Iterable[int]) -> set[int]:
    return set(
        ContactSharing.objects.filter(
            chain_id__in=set(chain_ids), partners_use_owner_details=True
        ).values_list("chain_id", flat=True)
    )


# --- writing ---------------------------------------------------------------------------------

DECISION_COLUMNS = (
    "chain_id",
    "customer_id",
    "organisation_id",
    "interaction_id",
    "journey_id",
    "rule_id",
    "invitation_id",
    "outcome",
    "reason",
    "detail",
    "decided_at",
)
INVITATION_COLUMNS = (
    "organisation_id",
    "survey_id",
    "customer_id",
    "journey_id",
    "interaction_id",
    "rule_id",
    "channel",
    "send_after",
    "expires_at",
)


def store(decisions: list[tuple], invitations: list[tuple]) -> list[int]:
    """Save the invitations, then the decisions; a decision's invitation_id holds the index of
    its invitation in `invitations` and is replaced by the saved id. Returns the invitation ids."""
    if connection.vendor == "postgresql":
        return _copy(decisions, invitations)
    created = Invitation.objects.bulk_create(
        [Invitation(**dict(zip(INVITATION_COLUMNS, row, strict=True))) for row in invitations]
    )
    ids = [i.pk for i in created]
    InvitationDecision.objects.bulk_create(
        [InvitationDecision(**_with_invitation_id(row, ids)) for row in decisions]
    )
    return ids


def _with_invitation_id(row: tuple, ids: list[int]) -> dict[str, Any]:
    values = dict(zip(DECISION_COLUMNS, row, strict=True))
    index = values["invitation_id"]
    values["invitation_id"] = None if index is None else ids[index]
    return values


def _copy(decisions: list[tuple], invitations: list[tuple]) -> list[int]:
    """COPY both tables; the invitations' ids are drawn from their sequence first, so the
    decisions can name them without reading anything back."""
    invitation_table = Invitation._meta.db_table
    with connection.cursor() as cursor:
        ids: list[int] = []
        if invitations:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [invitation_table, len(invitations)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            _copy_rows(
                cursor,
                Invitation,
                ("id", *INVITATION_COLUMNS),
                ((pk, *row) for pk, row in zip(ids, invitations, strict=True)),
            )
        invitation_at = DECISION_COLUMNS.index("invitation_id")
        _copy_rows(
            cursor,
            InvitationDecision,
            DECISION_COLUMNS,
            (
                row
                if row[invitation_at] is None
                else (*row[:invitation_at], ids[row[invitation_at]], *row[invitation_at + 1 :])
                for row in decisions
            ),
        )
    return ids


def _copy_rows(cursor, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY rows into the model's table; every column not given gets the field's default, so a
    field added later with a default needs no change here."""
    now = timezone.now()
    others = [
        f
        for f in model._meta.concrete_fields
        if f.column not in columns and f.attname not in columns and not f.primary_key
    ]
    constants = tuple(bulksql.column_default(f, now) for f in others)
    names = ", ".join([*columns, *(str(f.column) for f in others)])
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *constants))
