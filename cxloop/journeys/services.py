"""Recording interactions: the entry point of the loop."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from cxloop.audit.services import Actor
from cxloop.customers.models import Customer, CustomerContact
from cxloop.customers.services import ContactDetailsInBulk, record_contact_details_in_bulk
from cxloop.journeys import batch_sql
from cxloop.journeys.models import Channel, Interaction, Journey, JourneyType, Touchpoint
from cxloop.lib import bulksql
from cxloop.orgs.models import Employee, Organisation, Unit


# Not frozen: a frozen dataclass sets each field through object.__setattr__, 5 ms a batch.
@dataclass(slots=True)
class InteractionInput:
    """One interaction as an organisation's system reports it."""

    external_id: str
    occurred_at: datetime
    customer_key: str
    journey_id: str
    journey_type: str
    channel: str
    touchpoint: str | None = None
    employee: str | None = None
    unit: str | None = None
    customer_email: str = ""
    customer_phone: str = ""
    customer_language: str = ""
    customer_name: str = ""
    customer_licence_plate: str = ""
    journey_ended: bool = False
    wait_seconds: int | None = None


class InteractionRejected(Exception):
    """Some items cannot be recorded; nothing was written. `errors` maps item index to messages."""

    def __init__(self, errors: dict[int, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} item(s) rejected")


# A named tuple, not a frozen dataclass: a batch makes thousands, and a frozen dataclass sets each
# field through object.__setattr__.
class RecordedInteraction(NamedTuple):
    id: int
    external_id: str
    created: bool

    @property
    def interaction(self) -> Interaction:
        """The recorded row, read from the database (one query)."""
        return Interaction.objects.get(pk=self.id)


@dataclass
class _Resolved:
    journey_type: JourneyType
    channel: Channel
    touchpoint: Touchpoint | None
    employee: Employee | None
    unit: Unit | None

    def __post_init__(self) -> None:
        # The ids as plain attributes: the SQL path reads them for every item.
        self.journey_type_id: int = self.journey_type.pk
        self.channel_id: int = self.channel.pk
        self.touchpoint_id = self.touchpoint.pk if self.touchpoint else None
        self.unit_id = self.unit.pk if self.unit else None
        self.employee_id = self.employee.pk if self.employee else None


_Fresh = list[
    tuple[InteractionInput, _Resolved]
]  # items not recorded before, with their references
_JourneyKey = batch_sql.JourneyKey


class _Lookup:
    """The organisation's reference data, read once per call instead of once per item."""

    def __init__(self, organisation: Organisation):
        chain_id = organisation.chain_id
        participating = Q(owner=organisation) | Q(agreements__organisation=organisation)
        self.journey_types = {
            jt.slug: jt
            for jt in JourneyType.objects.filter(Q(chain_id=chain_id) & participating).distinct()
        }
        self.channels = {c.slug: c for c in Channel.objects.filter(chain_id=chain_id)}
        self.touchpoints = {
            (t.journey_type_id, t.slug): t
            for t in Touchpoint.objects.filter(journey_type__chain_id=chain_id)
        }
        self.units = {u.slug: u for u in Unit.objects.filter(organisation=organisation)}
        self._organisation = organisation
        self._employees: dict[str, Employee] = {}
        # A batch's items name the same few references: each combination is resolved once.
        self._resolved: dict[tuple, tuple[_Resolved | None, list[str]]] = {}

    def load_employees(self, codes: set[str]) -> None:
        """The batch's employees, in one query however many there are."""
        self._employees = {
            employee.code: employee
            for employee in Employee.objects.select_related("unit").filter(
                organisation=self._organisation, code__in=codes
            )
        }

    def employee(self, code: str) -> Employee | None:
        return self._employees.get(code)

    def resolve(self, item: InteractionInput) -> tuple[_Resolved | None, list[str]]:
        names = (item.journey_type, item.channel, item.touchpoint, item.employee, item.unit)
        if names not in self._resolved:
            self._resolved[names] = self._resolve(item)
        found, errors = self._resolved[names]
        return found, list(errors)

    def _resolve(self, item: InteractionInput) -> tuple[_Resolved | None, list[str]]:
        errors: list[str] = []
        journey_type = self.journey_types.get(item.journey_type)
        if journey_type is None:
            errors.append(
                f"journey_type {item.journey_type!r} is unknown or not shared with this organisation"
            )
        channel = self.channels.get(item.channel)
        if channel is None:
            errors.append(
                f"channel {item.channel!r} is unknown; known: {', '.join(sorted(self.channels))}"
            )
        touchpoint = None
        if item.touchpoint and journey_type is not None:
            touchpoint = self.touchpoints.get((journey_type.pk, item.touchpoint))
            if touchpoint is None:
                errors.append(
                    f"touchpoint {item.touchpoint!r} is not a touchpoint of {item.journey_type!r}"
                )
        employee = self.employee(item.employee) if item.employee else None
        if item.employee and employee is None:
            errors.append(f"employee {item.employee!r} is unknown in this organisation")
        unit = self.units.get(item.unit) if item.unit else (employee.unit if employee else None)
        if item.unit and unit is None:
            errors.append(f"unit {item.unit!r} is unknown in this organisation")
        if errors or journey_type is None or channel is None:
            return None, errors
        return _Resolved(journey_type, channel, touchpoint, employee, unit), []


def record_interactions(
    *,
    organisation: Organisation,
    items: Sequence[InteractionInput],
    actor: Actor = None,
    source: str = CustomerContact.Source.API,
    set_based_sql: bool | None = None,
) -> list[RecordedInteraction]:
    """Record interactions all-or-nothing; an external id seen before returns the earlier record.

    Contact details in the items become the organisation's own (the audit log names `actor`).
    New interactions are handed to the invitation rules after the transaction commits; so are
    earlier ones sent again that still have no decision (a retry after a failed request).

    Set-based: a batch costs the same fixed number of queries whatever its size (customers,
    journeys, contact details and interactions are each read and written once per batch). On
    PostgreSQL (`set_based_sql` None) each is one SQL statement over the whole batch
    (`batch_sql.py`); elsewhere, or with `set_based_sql=False`, the ORM writes the same rows.
    """
    resolved = _resolve_all(organisation, items)
    if set_based_sql is None:
        set_based_sql = connection.vendor == "postgresql"
    write = _write_with_sql if set_based_sql else _write_with_orm

    from cxloop.surveys.services import plan_invitations_after_commit

    with transaction.atomic():
        earlier: dict[str, int] = {}
        created = (
            _write_unseen(organisation, items, resolved, actor, source)
            if (set_based_sql and items)
            else None
        )
        if created is None:
            earlier = _recorded_before(
                organisation, [item.external_id for item in items], set_based_sql
            )
            fresh = [
                (item, refs)
                for item, refs in zip(items, resolved, strict=True)
                if item.external_id not in earlier
            ]
            created = write(organisation, fresh, actor, source) if fresh else {}
            if len(created) < len(fresh):
                # A concurrent retry of the same request won the race: return its records.
                won = [item.external_id for item, _ in fresh if item.external_id not in created]
                earlier.update(
                    Interaction.objects.filter(
                        organisation=organisation, external_id__in=won
                    ).values_list("external_id", "pk")
                )
        results = [
            RecordedInteraction(created[item.external_id], item.external_id, created=True)
            if item.external_id in created
            else RecordedInteraction(earlier[item.external_id], item.external_id, created=False)
            for item in items
        ]
        # In the transaction: the interactions and their place on the planning list commit together.
        plan_invitations_after_commit(
            interaction_ids=[r.id for r in results if r.created],
            retried_ids=[r.id for r in results if not r.created],
        )
    return results


def _write_unseen(
    organisation: Organisation,
    items: Sequence[InteractionInput],
    resolved: list[_Resolved],
    actor: Actor,
    source: str,
) -> dict[str, int] | None:
    """PostgreSQL: all the items written as new, without looking for each external id first;
    None (and nothing written) if one was recorded before.

    Most batches are new, and probing each external id cost 2-3% of a 5,000-item request. A repeat
    makes the INSERT fail on the unique constraint, and the caller starts over, probing. A retried
    batch repeats its first item: one probe sends it the careful way at once.
    """
    if _recorded_before(organisation, [items[0].external_id], set_based_sql=True):
        return None
    try:
        with transaction.atomic():
            fresh = list(zip(items, resolved, strict=True))
            return _write_with_sql(organisation, fresh, actor, source, repeats_fail=True)
    except IntegrityError:
        return None


def _recorded_before(
    organisation: Organisation, external_ids: list[str], set_based_sql: bool
) -> dict[str, int]:
    """The ids of the organisation's interactions with these external ids."""
    if set_based_sql:
        return batch_sql.recorded_before(organisation.pk, external_ids)
    return dict(
        Interaction.objects.filter(
            bulksql.Among("external_id", external_ids), organisation=organisation
        ).values_list("external_id", "pk")
    )


def _resolve_all(organisation: Organisation, items: Sequence[InteractionInput]) -> list[_Resolved]:
    """The items' reference data; raises InteractionRejected naming every bad item."""
    errors: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    lookup = _Lookup(organisation)
    lookup.load_employees({item.employee for item in items if item.employee})
    resolved: list[_Resolved] = []
    for index, item in enumerate(items):
        found, item_errors = lookup.resolve(item)
        if item.external_id in seen:
            item_errors.append(
                f"external_id {item.external_id!r} repeats item {seen[item.external_id]}"
            )
        seen.setdefault(item.external_id, index)
        if item_errors:
            errors[index] = item_errors
        elif found is not None:
            resolved.append(found)
    if errors:
        raise InteractionRejected(errors)
    return resolved


def _write_with_sql(
    organisation: Organisation,
    fresh: _Fresh,
    actor: Actor,
    source: str,
    *,
    repeats_fail: bool = False,
) -> dict[str, int]:
    """PostgreSQL: the new interactions with their customers, journeys and contact details.

    An external id recorded meanwhile is skipped, or with `repeats_fail` raises IntegrityError."""
    now = timezone.now()
    languages: dict[str, str] = {}
    for item, _ in fresh:
        languages.setdefault(item.customer_key, item.customer_language or Customer.Language.DUTCH)
    customers, created = batch_sql.lock_customers(organisation.chain_id, languages, now)
    wanted: dict[_JourneyKey, batch_sql.JourneyTimes] = {}
    keys: list[_JourneyKey] = []  # each item's journey
    for item, refs in fresh:
        at = item.occurred_at
        key = (refs.journey_type_id, customers[item.customer_key], item.journey_id)
        keys.append(key)
        started, ended = wanted.get(key, (at, None))
        if item.journey_ended and ended is None:
            ended = at  # the first item that ends it, as _follow does
        wanted[key] = (at if at < started else started, ended)
    rows: list[dict] = []
    organisation_id = organisation.pk

    def interaction_rows() -> None:  # all but their journeys' ids
        for (item, refs), key in zip(fresh, keys, strict=True):
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "external_id": item.external_id,
                    "customer_id": key[1],
                    "occurred_at": item.occurred_at,
                    "channel_id": refs.channel_id,
                    "touchpoint_id": refs.touchpoint_id,
                    "unit_id": refs.unit_id,
                    "employee_id": refs.employee_id,
                    "wait_seconds": item.wait_seconds,
                }
            )

    # The Python work runs while the server works on the statement before it (bulksql.meanwhile).
    journeys = batch_sql.follow_journeys(
        organisation.chain_id, wanted, while_following=interaction_rows
    )
    for row, key in zip(rows, keys, strict=True):
        row["journey_id"] = journeys[key]
    contact_details = ContactDetailsInBulk(
        organisation=organisation,
        supplied=[(customers[item.customer_key], _contact_details(item)) for item, _ in fresh],
        source=source,
        new_customer_ids=created,
    )
    inserted = batch_sql.insert_interactions(
        rows, now, while_inserting=contact_details.work_out, repeats_fail=repeats_fail
    )
    contact_details.write(actor)
    return inserted


def _write_with_orm(
    organisation: Organisation, fresh: _Fresh, actor: Actor, source: str
) -> dict[str, int]:
    """Any database: the same rows as `_write_with_sql`, through model instances."""
    customers = _customers(organisation, [item for item, _ in fresh])
    journeys = _journeys(organisation, fresh, customers)
    record_contact_details_in_bulk(
        organisation=organisation,
        actor=actor,
        supplied=[(customers[item.customer_key].pk, _contact_details(item)) for item, _ in fresh],
        source=source,
    )
    return _create_interactions(organisation, fresh, customers, journeys)


def _customers(organisation: Organisation, items: list[InteractionInput]) -> dict[str, Customer]:
    """The chain's customers with the items' keys, the missing ones created; locked until commit.

    New keys are inserted in key order and the rows locked in id order, so two batches with
    overlapping customers wait for each other instead of failing or deadlocking; the lock keeps
    their journeys and contact details consistent.
    """
    keys = sorted({item.customer_key for item in items})
    if not keys:
        return {}
    chain_id = organisation.chain_id
    known = set(
        Customer.objects.filter(chain_id=chain_id, key__in=keys).values_list("key", flat=True)
    )
    languages: dict[str, str] = {}
    for item in items:
        languages.setdefault(item.customer_key, item.customer_language or Customer.Language.DUTCH)
    Customer.objects.bulk_create(
        [
            Customer(chain_id=chain_id, key=key, language=languages[key])
            for key in keys
            if key not in known
        ],
        ignore_conflicts=True,  # another batch created it meanwhile: it is the same customer
    )
    # FOR NO KEY UPDATE: batches wait for each other, while other writers' foreign-key checks
    # on these customers (FOR KEY SHARE: a response, a contact record) do not wait for the batch.
    locked = Customer.objects.select_for_update(no_key=True).filter(chain_id=chain_id, key__in=keys)
    return {customer.key: customer for customer in locked.order_by("pk")}


def _journeys(
    organisation: Organisation,
    fresh: _Fresh,
    customers: dict[str, Customer],
) -> dict[_JourneyKey, Journey]:
    """The items' journeys, the missing ones created, started and ended as the items say."""
    # A journey id is namespaced by journey type and customer: the same id for another customer or
    # type is another journey. So nothing, not even an error, tells a caller that an id is in use.
    wanted: dict[_JourneyKey, list[InteractionInput]] = {}
    for item, refs in fresh:
        key = (refs.journey_type.pk, customers[item.customer_key].pk, item.journey_id)
        wanted.setdefault(key, []).append(item)
    if not wanted:
        return {}

    def read(keys: Iterable[_JourneyKey]) -> dict[_JourneyKey, Journey]:
        keys = list(keys)
        rows = Journey.objects.filter(
            customer_id__in={key[1] for key in keys}, external_id__in={key[2] for key in keys}
        )
        found = {(j.journey_type_id, j.customer_id, j.external_id): j for j in rows}
        return {key: journey for key, journey in found.items() if key in wanted}

    journeys = read(wanted)
    missing = [key for key in sorted(wanted) if key not in journeys]
    if missing:
        new = []
        for key in missing:
            journey_type_id, customer_id, external_id = key
            journey = Journey(
                chain_id=organisation.chain_id,
                journey_type_id=journey_type_id,
                customer_id=customer_id,
                external_id=external_id,
                started_at=wanted[key][0].occurred_at,
            )
            _follow(journey, wanted[key])
            new.append(journey)
        Journey.objects.bulk_create(new, ignore_conflicts=True)
        journeys.update(read(missing))  # their ids: ignore_conflicts returns none
    changed = [journey for key, journey in journeys.items() if _follow(journey, wanted[key])]
    Journey.objects.bulk_update(sorted(changed, key=lambda j: j.pk), ["started_at", "ended_at"])
    return journeys


def _follow(journey: Journey, items: list[InteractionInput]) -> bool:
    """Move the journey's start and end as the items say, in order; whether anything changed."""
    before = (journey.started_at, journey.ended_at)
    for item in items:
        if item.occurred_at < journey.started_at:
            journey.started_at = item.occurred_at
        if item.journey_ended and journey.ended_at is None:
            journey.ended_at = item.occurred_at
    return (journey.started_at, journey.ended_at) != before


def _contact_details(item: InteractionInput) -> dict[str, str]:
    return {
        "email": item.customer_email,
        "phone": item.customer_phone,
        "language": item.customer_language,
        "name": item.customer_name,
        "licence_plate": item.customer_licence_plate,
    }


def _create_interactions(
    organisation: Organisation,
    fresh: _Fresh,
    customers: dict[str, Customer],
    journeys: dict[_JourneyKey, Journey],
) -> dict[str, int]:
    """Insert the new interactions in one go; leaves out those a concurrent retry wrote first."""
    now = timezone.now()
    rows = []
    for item, refs in fresh:
        customer = customers[item.customer_key]
        rows.append(
            Interaction(
                organisation=organisation,
                external_id=item.external_id,
                journey=journeys[(refs.journey_type.pk, customer.pk, item.journey_id)],
                customer=customer,
                occurred_at=item.occurred_at,
                channel=refs.channel,
                touchpoint=refs.touchpoint,
                unit=refs.unit,
                employee=refs.employee,
                wait_seconds=item.wait_seconds,
                created_at=now,
            )
        )
    try:
        with transaction.atomic():
            Interaction.objects.bulk_create(rows)
    except IntegrityError:
        # A concurrent retry of the same request won the race: insert only what it did not.
        won = set(
            Interaction.objects.filter(
                organisation=organisation, external_id__in=[row.external_id for row in rows]
            ).values_list("external_id", flat=True)
        )
        rows = [row for row in rows if row.external_id not in won]
        for row in rows:
            row.pk = None
        Interaction.objects.bulk_create(rows)
    return {row.external_id: row.pk for row in rows}
