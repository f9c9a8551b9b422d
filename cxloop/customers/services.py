"""Writes for customers: contact details per organisation, and the global opt-out for every partner."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cxloop.audit.services import (
    Actor,
    AuditTarget,
    record_chain_change,
    record_change,
    record_changes_in_bulk,
    snapshot,
)
from cxloop.customers.models import ContactSharing, Customer, CustomerContact
from cxloop.customers.normalise import phone_key, plate_key
from cxloop.lib import bulksql
from cxloop.orgs.models import Chain, Organisation

CONTACT_FIELDS = ["email", "phone", "name", "licence_plate", "language"]


@transaction.atomic
def opt_out_customer(
    *, customer: Customer, now: datetime | None = None, actor: Actor = None, detail: str = ""
) -> Customer:
    """Stop all feedback requests to a customer, from every partner, including those already queued."""
    from cxloop.messaging.models import OutboxMessage
    from cxloop.surveys.models import Invitation

    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.opted_out_at is None:
        customer.opted_out_at = now
        customer.save(update_fields=["opted_out_at"])
        # The opt-out binds every partner of the chain, so each one's audit log shows it.
        record_chain_change(
            chain_id=customer.chain_id,
            actor=actor,
            action="customer.opted_out",
            target=customer,
            before={"opted_out_at": None},
            after={"opted_out_at": now},
            customer_id=customer.pk,
            detail=detail,
        )
    invitation_ids = list(
        Invitation.objects.filter(
            customer=customer, status=Invitation.Status.SCHEDULED
        ).values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=invitation_ids).update(
        status=Invitation.Status.CANCELLED, error="the customer opted out"
    )
    all_invitations = Invitation.objects.filter(customer=customer).values_list("pk", flat=True)
    OutboxMessage.objects.filter(
        purpose__in=["invitation", "reminder"],
        subject_id__in=list(all_invitations),
        status=OutboxMessage.Status.PENDING,
    ).update(status=OutboxMessage.Status.FAILED, error="the customer opted out")
    return customer


@transaction.atomic(savepoint=False)  # part of the caller's transaction: no savepoint per item
def record_contact_details(
    *,
    customer: Customer,
    organisation: Organisation,
    actor: Actor,
    email: str = "",
    phone: str = "",
    language: str = "",
    name: str = "",
    licence_plate: str = "",
    source: str = CustomerContact.Source.API,
    new_customer: bool = False,
) -> CustomerContact | None:
    """Keep the details an organisation supplied, as its own; an empty value leaves a field as it was.

    Only the supplying organisation's record changes, so no organisation can change what another's
    messages use. Every change is written to the audit log with the values before and after.
    `new_customer`: the customer was created in this transaction, so no record can exist yet.
    """
    supplied = {
        "email": email.strip(),
        "phone": phone.strip(),
        "language": language.strip(),
        "name": name.strip(),
        "licence_plate": licence_plate.strip(),
    }
    if not any(supplied.values()):
        return None
    values = {field: value for field, value in supplied.items() if value}
    contact, created = None, False
    if new_customer:
        contact = CustomerContact.objects.create(
            customer=customer, organisation=organisation, source=source, **_with_keys(values)
        )
        created = True
    else:
        contact = _locked_contact(customer, organisation)
    if contact is None:
        # get_or_create survives two first posts at once: the unique constraint decides, the loser reads.
        contact, created = CustomerContact.objects.get_or_create(
            customer=customer,
            organisation=organisation,
            defaults={"source": source, **_with_keys(values)},
        )
        if not created:
            contact = _locked_contact(customer, organisation)
    assert contact is not None
    before: dict = {}
    if not created:
        before = snapshot(contact, CONTACT_FIELDS)
        changed = [field for field, value in values.items() if getattr(contact, field) != value]
        if not changed:
            return contact
        _apply_changes(contact, values, changed, source)
        contact.save()
    record_change(
        actor=actor,
        action="customer.contact_added" if created else "customer.contact_changed",
        target=contact,
        organisation=organisation,
        before=before,
        after=snapshot(contact, CONTACT_FIELDS),
        customer_id=customer.pk,
        detail=f"source: {source}",
    )
    return contact


_RECORD_FIELDS = [*CONTACT_FIELDS, "phone_key", "plate_key", "email_invalid_at", "phone_invalid_at"]
# A new record before the supplied values are written onto it.
_EMPTY_RECORD: dict[str, Any] = {
    **dict.fromkeys([*CONTACT_FIELDS, "phone_key", "plate_key"], ""),
    "email_invalid_at": None,
    "phone_invalid_at": None,
}


def record_contact_details_in_bulk(
    *,
    organisation: Organisation,
    actor: Actor,
    supplied: Sequence[tuple[int, dict[str, str]]],
    source: str = CustomerContact.Source.API,
    new_customer_ids: Collection[int] = (),
) -> None:
    """`record_contact_details` for many (customer id, details) pairs in order, in a fixed number of queries.

    The records and audit entries are those of one call per pair: an entry for each pair that adds
    or changes something. Each record is written once, with its final values. The caller holds the
    customers' rows locked (record_interactions does), so no other batch adds a record meanwhile;
    a record the batch changes is locked before it is read for the change.
    Records are plain dicts, not model instances: a batch of a thousand pays for no instances.
    `new_customer_ids` are customers the caller's transaction created: they have no records to
    look up.
    """
    details = ContactDetailsInBulk(
        organisation=organisation,
        supplied=supplied,
        source=source,
        new_customer_ids=new_customer_ids,
    )
    details.work_out()
    details.write(actor)


class ContactDetailsInBulk:
    """record_contact_details_in_bulk in three steps, for a caller with other work for the database.

    Made, it has read the records the pairs may change (and locked those they do change);
    `work_out()` is Python only (the records' final values and the audit entries), so a caller can
    run it while the database works on another statement (record_interactions runs it during the
    interactions' INSERT, bulksql.meanwhile); `write()` writes the records and the audit entries.
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        supplied: Sequence[tuple[int, dict[str, str]]],
        source: str,
        new_customer_ids: Collection[int] = (),
    ):
        self.organisation, self.source = organisation, source
        self.pending: list[tuple[int, dict[str, str]]] = []
        for customer_id, details in supplied:
            # Most fields of most items are empty: only what is there is stripped.
            values = {
                field: stripped
                for field, value in details.items()
                if value and (stripped := value.strip())
            }
            if values:
                self.pending.append((customer_id, values))
        self.records = _records(
            organisation, sorted({pk for pk, _ in self.pending if pk not in new_customer_ids})
        )
        # Only the records this batch changes are locked, and read again once locked: most of a
        # batch's customers bring the details they brought before (locking a row writes it).
        changing = {
            customer_id: record["id"]
            for customer_id, values in self.pending
            if (record := self.records.get(customer_id)) is not None
            and any(record[field] != value for field, value in values.items())
        }
        if changing:
            locked = _locked_records(sorted(changing.values()))
            for customer_id in changing:
                self.records.pop(customer_id)
                if customer_id in locked:  # else deleted meanwhile: the batch adds it anew
                    self.records[customer_id] = locked[customer_id]
        self.new: dict[int, dict[str, Any]] = {}
        self.changed: dict[int, dict[str, Any]] = {}
        self.entries: list[tuple[str, int, dict, dict]] = []  # action, customer, before, after

    def work_out(self) -> None:
        """The new and changed records with their final values, and an audit entry per change."""
        records, new, changed, source = self.records, self.new, self.changed, self.source
        for customer_id, values in self.pending:
            record = records.get(customer_id)
            if record is None:
                record = {**_EMPTY_RECORD, **_with_keys(values)}
                record["customer_id"], record["source"] = customer_id, source
                records[customer_id] = new[customer_id] = record
                self.entries.append(("customer.contact_added", customer_id, {}, _details(record)))
                continue
            fields = [field for field, value in values.items() if record[field] != value]
            if not fields:
                continue
            before = _details(record)
            _apply_changes(record, values, fields, source)
            if customer_id not in new:
                changed[customer_id] = record
            self.entries.append(("customer.contact_changed", customer_id, before, _details(record)))

    def write(self, actor: Actor) -> None:
        """Insert the new records, update the changed ones and audit each change as `actor`'s."""
        organisation, source = self.organisation, self.source
        ids = _write_contacts(organisation, self.new, self.changed)
        record_changes_in_bulk(
            [
                {
                    "actor": actor,
                    "action": action,
                    "target": AuditTarget(
                        "customers.customercontact",
                        ids[customer_id],
                        f"contact details of customer {customer_id}"
                        f" from organisation {organisation.pk}",
                    ),
                    "organisation": organisation,
                    "before": before,
                    "after": after,
                    "customer_id": customer_id,
                    "detail": f"source: {source}",
                }
                for action, customer_id, before, after in self.entries
            ]
        )


def _records(organisation: Organisation, customer_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The organisation's contact records of these customers, by customer."""
    if not customer_ids:
        return {}
    columns = ["id", "customer_id", *_RECORD_FIELDS]
    if connection.vendor != "postgresql":
        return {
            record["customer_id"]: record
            for record in CustomerContact.objects.filter(
                bulksql.Among("customer_id", customer_ids), organisation=organisation
            ).values(*columns)
        }
    # One index probe per customer. With `customer_id = ANY(ids) AND organisation_id = …` the
    # planner, on statistics older than a fast-growing table, read all the organisation's records
    # and compared each with every id: 100 ms a batch at 50k records.
    rows = bulksql.probe_each(
        CustomerContact,
        "customer_id",
        customer_ids,
        where={"organisation_id": organisation.pk},
        columns=columns,
    )
    return {row[1]: dict(zip(columns, row, strict=True)) for row in rows}


def _locked_records(ids: list[int]) -> dict[int, dict[str, Any]]:
    """These contact records as they are now, by customer, locked until commit (in id order)."""
    columns = ["id", "customer_id", *_RECORD_FIELDS]
    rows = bulksql.lock_by_id(CustomerContact, ids, columns=columns)
    return {row[1]: dict(zip(columns, row, strict=True)) for row in rows}


def _write_contacts(
    organisation: Organisation, new: dict[int, dict[str, Any]], changed: dict[int, dict[str, Any]]
) -> dict[int, int]:
    """Insert the new records and update the changed ones; the records' ids by customer."""
    now = timezone.now()
    ids = {customer_id: record["id"] for customer_id, record in changed.items()}
    # In id order, so that two batches never wait for each other's rows the other way round.
    inserts = [
        {**new[customer_id], "organisation_id": organisation.pk} for customer_id in sorted(new)
    ]
    updates = [
        {"id": record["id"], **{f: record[f] for f in _RECORD_FIELDS}, "source": record["source"]}
        for record in sorted(changed.values(), key=lambda r: r["id"])
    ]
    if connection.vendor == "postgresql":
        ids.update(bulksql.insert(CustomerContact, inserts, now=now, returning="customer_id, id"))
        bulksql.update(CustomerContact, [{**row, "updated_at": now} for row in updates])
        return ids
    created = CustomerContact.objects.bulk_create(
        [CustomerContact(**row, created_at=now, updated_at=now) for row in inserts]
    )
    ids.update({contact.customer_id: contact.pk for contact in created})
    CustomerContact.objects.bulk_update(
        [CustomerContact(**row, updated_at=now) for row in updates],
        [*_RECORD_FIELDS, "source", "updated_at"],
    )
    return ids


def _details(record: dict[str, Any]) -> dict[str, str]:
    # snapshot(contact, CONTACT_FIELDS) without its conversions: these fields are all text.
    return {field: record[field] for field in CONTACT_FIELDS}


def _apply_changes(
    contact: CustomerContact | dict[str, Any],
    values: dict[str, str],
    changed: list[str],
    source: str,
) -> None:
    """Write the changed values (and their search keys) onto a record or its dict."""
    updates: dict[str, Any] = _with_keys({field: values[field] for field in changed})
    # A new address has not bounced (yet).
    if "email" in changed:
        updates["email_invalid_at"] = None
    if "phone" in changed:
        updates["phone_invalid_at"] = None
    updates["source"] = source
    if isinstance(contact, dict):
        contact.update(updates)
        return
    for field, value in updates.items():
        setattr(contact, field, value)


def upsert_customer(
    *, organisation: Organisation, key: str, actor: Actor, details: dict[str, Any]
) -> tuple[Customer, bool]:
    """The customer with this chain key, made if new, with the organisation's contact details kept
    (record_contact_details); returns it and whether it was made."""
    try:
        with transaction.atomic():
            customer, created = Customer.objects.get_or_create(
                chain_id=organisation.chain_id, key=key
            )
            record_contact_details(
                customer=customer,
                organisation=organisation,
                actor=actor,
                new_customer=created,
                **details,
            )
    except IntegrityError:  # made by another request at the same moment: it exists now
        customer, created = Customer.objects.get(chain_id=organisation.chain_id, key=key), False
        record_contact_details(customer=customer, organisation=organisation, actor=actor, **details)
    return customer, created


def _with_keys(values: dict[str, str]) -> dict[str, str]:
    """The values plus the search keys of a phone number or plate among them."""
    keys = {}
    if "phone" in values:
        keys["phone_key"] = phone_key(values["phone"])
    if "licence_plate" in values:
        keys["plate_key"] = plate_key(values["licence_plate"])
    return {**values, **keys}


def _locked_contact(customer: Customer, organisation: Organisation) -> CustomerContact | None:
    return (
        CustomerContact.objects.select_for_update()
        .filter(customer=customer, organisation=organisation)
        .first()
    )


def mark_address_invalid(
    *, customer_id: int, channel: str, address: str, now: datetime | None = None
) -> int:
    """A bounce or a refused number: mark that address invalid wherever this customer's details hold it.

    The mark sticks to the address, not to an organisation: another organisation's different address
    stays usable. Returns how many records were marked.
    """
    now = now or timezone.now()
    field, invalid = (
        ("phone", "phone_invalid_at") if channel == "sms" else ("email", "email_invalid_at")
    )
    if not address:
        return 0
    marked = CustomerContact.objects.filter(customer_id=customer_id, **{field: address}).update(
        **{invalid: now}
    )
    marked += Customer.objects.filter(pk=customer_id, **{field: address}).update(**{invalid: now})
    return marked


@transaction.atomic
def set_contact_sharing(
    *,
    chain: Chain,
    partners_use_owner_details: bool,
    actor: Actor,
    organisation: Organisation | None = None,
) -> ContactSharing:
    """Set the chain's rule on whether partners may use the journey owner's contact details."""
    sharing, _ = ContactSharing.objects.select_for_update().get_or_create(chain=chain)
    before = snapshot(sharing, ["partners_use_owner_details"])
    if sharing.partners_use_owner_details == partners_use_owner_details:
        return sharing
    sharing.partners_use_owner_details = partners_use_owner_details
    sharing.save()
    # The rule binds every partner, so each partner's privacy officer finds it in their own log.
    record_chain_change(
        chain_id=chain.pk,
        actor=actor,
        action="chain.contact_sharing_changed",
        target=sharing,
        before=before,
        after=snapshot(sharing, ["partners_use_owner_details"]),
    )
    return sharing
