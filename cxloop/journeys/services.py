"""Recording interactions: the entry point of the loop."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q

from cxloop.audit.services import Actor
from cxloop.customers.models import Customer, CustomerContact
from cxloop.customers.services import record_contact_details
from cxloop.journeys.models import Channel, Interaction, Journey, JourneyType, Touchpoint
from cxloop.orgs.models import Employee, Organisation, Unit


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class RecordedInteraction:
    interaction: Interaction
    created: bool


@dataclass
class _Resolved:
    journey_type: JourneyType
    channel: Channel
    touchpoint: Touchpoint | None
    employee: Employee | None
    unit: Unit | None


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
        self._employees: dict[str, Employee | None] = {}

    def employee(self, code: str) -> Employee | None:
        if code not in self._employees:
            self._employees[code] = (
                Employee.objects.select_related("unit")
                .filter(organisation=self._organisation, code=code)
                .first()
            )
        return self._employees[code]

    def resolve(self, item: InteractionInput) -> tuple[_Resolved | None, list[str]]:
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
) -> list[RecordedInteraction]:
    """Record interactions all-or-nothing; an external id seen before returns the earlier record.

    Contact details in the items become the organisation's own (the audit log names `actor`).
    New interactions are handed to the invitation rules after the transaction commits; so are
    earlier ones sent again that still have no decision (a retry after a failed request).
    """
    errors: dict[int, list[str]] = {}
    seen: dict[str, int] = {}
    lookup = _Lookup(organisation)
    resolved: list[_Resolved | None] = []
    for index, item in enumerate(items):
        found, item_errors = lookup.resolve(item)
        if item.external_id in seen:
            item_errors.append(
                f"external_id {item.external_id!r} repeats item {seen[item.external_id]}"
            )
        seen.setdefault(item.external_id, index)
        if item_errors:
            errors[index] = item_errors
        resolved.append(found)
    if errors:
        raise InteractionRejected(errors)

    existing = {
        i.external_id: i
        for i in Interaction.objects.filter(organisation=organisation, external_id__in=list(seen))
    }
    results: list[RecordedInteraction] = []
    known = _known_contacts(organisation, items)
    with transaction.atomic():
        for item, refs in zip(items, resolved, strict=True):
            assert refs is not None
            if item.external_id in existing:
                results.append(RecordedInteraction(existing[item.external_id], created=False))
                continue
            results.append(
                _create_interaction(
                    organisation, item, refs, actor=actor, source=source, known=known
                )
            )
        from cxloop.surveys.services import plan_invitations_after_commit

        # In the transaction: the interactions and their place on the planning list commit together.
        plan_invitations_after_commit(
            interaction_ids=[r.interaction.pk for r in results if r.created],
            retried_ids=[r.interaction.pk for r in results if not r.created],
        )
    return results


def _create_interaction(
    organisation: Organisation,
    item: InteractionInput,
    refs: _Resolved,
    *,
    actor: Actor,
    source: str,
    known: dict[str, dict[str, str]],
) -> RecordedInteraction:
    customer = _upsert_customer(organisation, item, actor=actor, source=source, known=known)
    # A journey id is namespaced by journey type and customer: the same id for another customer or
    # type is another journey. So nothing, not even an error, tells a caller that an id is in use.
    journey, _ = Journey.objects.get_or_create(
        journey_type=refs.journey_type,
        customer=customer,
        external_id=item.journey_id,
        defaults={"chain_id": organisation.chain_id, "started_at": item.occurred_at},
    )
    if item.occurred_at < journey.started_at:
        journey.started_at = item.occurred_at
        journey.save(update_fields=["started_at"])
    if item.journey_ended and journey.ended_at is None:
        journey.ended_at = item.occurred_at
        journey.save(update_fields=["ended_at"])
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                organisation=organisation,
                external_id=item.external_id,
                journey=journey,
                customer=customer,
                occurred_at=item.occurred_at,
                channel=refs.channel,
                touchpoint=refs.touchpoint,
                unit=refs.unit,
                employee=refs.employee,
                wait_seconds=item.wait_seconds,
            )
    except IntegrityError:
        # A concurrent retry of the same request won the race: return its record.
        return RecordedInteraction(
            Interaction.objects.get(organisation=organisation, external_id=item.external_id),
            created=False,
        )
    return RecordedInteraction(interaction, created=True)


def _known_contacts(
    organisation: Organisation, items: Sequence[InteractionInput]
) -> dict[str, dict[str, str]]:
    """The organisation's own details of the batch's customers, read once, so repeats cost nothing."""
    rows = CustomerContact.objects.filter(
        organisation=organisation, customer__key__in={item.customer_key for item in items}
    ).values_list("customer__key", "email", "phone", "language", "name", "licence_plate")
    return {
        key: {
            "email": email,
            "phone": phone,
            "language": language,
            "name": name,
            "licence_plate": plate,
        }
        for key, email, phone, language, name, plate in rows
    }


def _upsert_customer(
    organisation: Organisation,
    item: InteractionInput,
    *,
    actor: Actor,
    source: str,
    known: dict[str, dict[str, str]],
) -> Customer:
    """The chain's customer with this key; the contact details become this organisation's own."""
    customer, created = Customer.objects.get_or_create(
        chain_id=organisation.chain_id,
        key=item.customer_key,
        defaults={"language": item.customer_language or Customer.Language.DUTCH},
    )
    supplied = {
        "email": item.customer_email,
        "phone": item.customer_phone,
        "language": item.customer_language,
        "name": item.customer_name,
        "licence_plate": item.customer_licence_plate,
    }
    before = known.get(item.customer_key, {})
    if all(not value or before.get(name) == value for name, value in supplied.items()):
        return customer  # nothing new from this organisation: no write, no audit entry
    known[item.customer_key] = {
        **before,
        **{name: value for name, value in supplied.items() if value},
    }
    record_contact_details(
        customer=customer,
        organisation=organisation,
        actor=actor,
        email=item.customer_email,
        phone=item.customer_phone,
        language=item.customer_language,
        name=item.customer_name,
        licence_plate=item.customer_licence_plate,
        source=source,
        new_customer=created,
    )
    return customer
