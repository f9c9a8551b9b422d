"""Recording a batch set-based: a fixed number of queries, and every rule of one-by-one recording."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cxloop.audit.models import AuditEntry
from cxloop.conftest import interaction_payload
from cxloop.customers.models import Customer, CustomerContact
from cxloop.journeys.models import Interaction, Journey
from cxloop.journeys.services import InteractionInput, record_interactions
from cxloop.lib.testing.postgres import require_postgres
from cxloop.surveys.models import UnplannedInteraction

pytestmark = pytest.mark.django_db

AT = datetime.fromisoformat("2026-11-20T10:15:00+01:00")


def item(external_id: str, customer: str, **overrides) -> InteractionInput:
    values = {
        "external_id": external_id,
        "occurred_at": AT,
        "customer_key": customer,
        "customer_email": f"{customer.lower()}@example.nl",
        "journey_id": f"claim-{customer}",
        "journey_type": "schade-melden",
        "channel": "telefoon",
        "touchpoint": "melding",
        "employee": "A1",
    }
    values.update(overrides)
    return InteractionInput(**values)


def post_batch(key: str, items: list[dict], capture):
    with capture(execute=True):
        return Client().post(
            "/api/interactions/batch",
            data={"items": items},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )


def queries_to_record(cast, items: list[InteractionInput]) -> int:
    with CaptureQueriesContext(connection) as captured:
        record_interactions(organisation=cast.owner, items=items)
    return len(captured.captured_queries)


def wait_until_a_connection_waits_for_a_lock() -> None:
    """Until another connection to the test database waits for a lock (at most 30 s)."""
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.1)


def mixed_batch(prefix: str, size: int) -> list[InteractionInput]:
    """New and known customers, several employees, repeated customers and journeys, ended journeys."""
    return [
        item(
            f"{prefix}-{n}",
            f"K-{n % (size // 2 + 1)}",
            employee=("A1", "B1", "L1")[n % 3],
            customer_phone=f"06-{n:08d}",
            journey_ended=n % 5 == 0,
            occurred_at=AT + timedelta(minutes=n),
        )
        for n in range(size)
    ]


def test_a_batch_costs_the_same_queries_whatever_its_size(cast):
    record_interactions(organisation=cast.owner, items=mixed_batch("warm", 4))  # K-0 .. K-2 known
    # Both batches mix known and new customers, with changed details; 60 items stay under
    # SQLite's 999 parameters per INSERT (above it Django splits an INSERT, PostgreSQL does not).
    # Each also starts a known journey earlier, so that each updates journeys.
    earlier = [item("small-early", "K-1", occurred_at=AT - timedelta(days=1))]
    small = queries_to_record(cast, [*mixed_batch("small", 8), *earlier])
    earlier = [item("large-early", "K-1", occurred_at=AT - timedelta(days=2))]
    large = queries_to_record(cast, [*mixed_batch("large", 59), *earlier])
    assert small == large
    assert large <= 25
    assert Interaction.objects.count() == 4 + 9 + 60


def test_a_retried_batch_creates_only_what_it_did_not_create_before(cast):
    first = record_interactions(organisation=cast.owner, items=mixed_batch("b", 6))
    retry = record_interactions(
        organisation=cast.owner, items=[*mixed_batch("b", 6), item("b-new", "K-new")]
    )
    assert [r.created for r in retry] == [False] * 6 + [True]
    assert [r.interaction.pk for r in retry[:6]] == [r.interaction.pk for r in first]
    assert Interaction.objects.count() == 7
    assert Customer.objects.count() == 5  # K-0 .. K-3 and K-new
    assert Journey.objects.count() == 5


def test_a_batch_repeating_an_item_after_new_ones_writes_each_new_one_once(cast):
    # Its first item is new: on PostgreSQL the batch is written without probing each external
    # id, fails on the repeat and starts over; nothing of the failed attempt may stay.
    first = record_interactions(
        organisation=cast.owner, items=[item("m-2", "K-2", customer_phone="06-22222222")]
    )
    before = stored_rows()
    batch = [
        item("m-1", "K-1", customer_phone="06-11111111"),
        item("m-2", "K-2", customer_phone="06-99999999"),  # sent before: not applied again
        item("m-3", "K-3", journey_ended=True),
    ]
    results = record_interactions(organisation=cast.owner, items=batch)
    assert [(r.external_id, r.created) for r in results] == [
        ("m-1", True),
        ("m-2", False),
        ("m-3", True),
    ]
    assert results[1].id == first[0].id
    after = stored_rows()
    assert len(after["interactions"]) == len(before["interactions"]) + 2
    assert Customer.objects.count() == 3 and Journey.objects.count() == 3
    assert CustomerContact.objects.get(customer__key="K-2").phone == "06-22222222"
    added = AuditEntry.objects.filter(action="customer.contact_added")
    assert sorted(added.values_list("customer_id", flat=True)) == sorted(
        Customer.objects.values_list("pk", flat=True)
    )
    assert not AuditEntry.objects.filter(action="customer.contact_changed").exists()
    assert sorted(
        UnplannedInteraction.objects.values_list("interaction__external_id", flat=True)
    ) == [
        "m-1",
        "m-2",
        "m-3",
    ]


def test_new_and_known_customers_in_one_batch_keep_their_details_and_journeys(cast):
    record_interactions(organisation=cast.owner, items=[item("a", "K-1")])
    results = record_interactions(
        organisation=cast.owner,
        items=[
            item("b", "K-1", occurred_at=AT - timedelta(hours=1)),  # starts the journey earlier
            item("c", "K-2", customer_language="en"),
            item("d", "K-2", journey_ended=True, occurred_at=AT + timedelta(hours=2)),
            item("e", "K-2", journey_ended=True, occurred_at=AT + timedelta(hours=3)),
        ],
    )
    assert [r.created for r in results] == [True] * 4
    assert Customer.objects.get(key="K-2").language == "en"
    first = Journey.objects.get(customer__key="K-1")
    assert (first.started_at, first.ended_at) == (AT - timedelta(hours=1), None)
    second = Journey.objects.get(customer__key="K-2")
    # The first item that ends the journey ends it; a later one does not move the end.
    assert (second.started_at, second.ended_at) == (AT, AT + timedelta(hours=2))
    assert {i.external_id: i.unit for i in Interaction.objects.all()}["c"] == cast.team


def test_contact_changes_in_a_batch_are_audited_once_each(cast):
    record_interactions(organisation=cast.owner, items=[item("a", "K-1")])
    record_interactions(
        organisation=cast.owner,
        items=[
            item("b", "K-1"),  # the same address: no change
            item("c", "K-1", customer_email="nieuw@example.nl"),
            item("d", "K-1", customer_email="nieuw@example.nl"),  # no change
            item("e", "K-2", customer_email="twee@example.nl"),
            item("f", "K-2", customer_email="twee@example.nl", customer_name="Twee"),
        ],
    )
    entries = [
        (e.action, e.before.get("email"), e.after["email"], e.after["name"])
        for e in AuditEntry.objects.filter(action__startswith="customer.contact").order_by("pk")
    ]
    assert entries == [
        ("customer.contact_added", None, "k-1@example.nl", ""),
        ("customer.contact_changed", "k-1@example.nl", "nieuw@example.nl", ""),
        ("customer.contact_added", None, "twee@example.nl", ""),
        ("customer.contact_changed", "twee@example.nl", "twee@example.nl", "Twee"),
    ]
    contact = CustomerContact.objects.get(customer__key="K-2")
    assert (contact.email, contact.name) == ("twee@example.nl", "Twee")
    assert all(
        e.object_id == str(contact.pk)
        for e in AuditEntry.objects.filter(customer_id=contact.customer_id)
    )


def test_a_partner_batch_adds_to_the_owners_journey(cast, django_capture_on_commit_callbacks):
    owner = post_batch(
        cast.owner_key, [interaction_payload("owner-1")], django_capture_on_commit_callbacks
    )
    partner_items = [
        interaction_payload(
            f"partner-{n}", employee="P1", customer={"key": "K-1", "email": "p@example.nl"}
        )
        for n in range(3)
    ]
    partner = post_batch(cast.partner_key, partner_items, django_capture_on_commit_callbacks)
    assert owner.status_code == partner.status_code == 200
    assert partner.json()["created"] == 3
    journey = Journey.objects.get()
    assert (
        journey.interactions.filter(organisation=cast.partner, unit=cast.partner_agent.unit).count()
        == 3
    )
    emails = dict(CustomerContact.objects.values_list("organisation__slug", "email"))
    assert emails == {"leasewijs": "klant@example.nl", "belcentrum": "p@example.nl"}


def test_a_bad_item_refuses_the_whole_batch(cast):
    with pytest.raises(Exception) as refused:
        record_interactions(
            organisation=cast.owner, items=[item("a", "K-1"), item("b", "K-2", employee="nobody")]
        )
    assert list(refused.value.errors) == [1]
    assert (
        not Customer.objects.exists()
        and not AuditEntry.objects.filter(customer_id__isnull=False).exists()
    )


@pytest.mark.django_db(transaction=True)
def test_two_batches_with_overlapping_customers_at_once_both_succeed(cast):
    require_postgres("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")
    batches = [
        [item(f"x-{n}", f"K-{n}") for n in range(0, 30)],
        [item(f"y-{n}", f"K-{n}", customer_email=f"y{n}@example.nl") for n in range(29, -1, -1)],
    ]
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def post(items):
        try:
            start.wait()
            record_interactions(organisation=cast.owner, items=items)
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Interaction.objects.count() == 60
    assert Customer.objects.count() == 30 and Journey.objects.count() == 30
    assert CustomerContact.objects.count() == 30


def stored_rows() -> dict[str, list]:
    """What a batch leaves behind, without ids or creation times (they differ between runs)."""
    keys = dict(Customer.objects.values_list("pk", "key"))
    contacts = {c.pk: c for c in CustomerContact.objects.select_related("customer", "organisation")}
    entries = AuditEntry.objects.filter(action__startswith="customer.contact").order_by("pk")
    for entry in entries:  # each names its record as one call per item would
        contact = contacts[int(entry.object_id)]
        assert (entry.object_type, entry.object_repr) == (
            "customers.customercontact",
            str(contact),
        )
    return {
        "customers": sorted(
            Customer.objects.values_list("key", "language", "email", "phone", "segment")
        ),
        "journeys": sorted(
            (keys[j.customer_id], j.journey_type.slug, j.external_id, j.started_at, j.ended_at)
            for j in Journey.objects.select_related("journey_type")
        ),
        "interactions": sorted(
            Interaction.objects.values_list(
                "organisation__slug",
                "external_id",
                "customer__key",
                "journey__external_id",
                "occurred_at",
                "channel__slug",
                "touchpoint__slug",
                "unit__slug",
                "employee__code",
                "wait_seconds",
            )
        ),
        "contacts": sorted(
            (c.customer.key, c.organisation.slug, c.email, c.phone, c.name, c.licence_plate)
            + (c.phone_key, c.plate_key, c.language, c.source, c.email_invalid_at)
            for c in contacts.values()
        ),
        "audit": [
            (e.action, e.actor_label, e.organisation_id, keys[e.customer_id], e.before, e.after)
            + (e.detail,)
            for e in entries
        ],
        "planning list": sorted(
            UnplannedInteraction.objects.values_list("interaction__external_id", flat=True)
        ),
    }


def record_sequence(cast, *, set_based_sql: bool) -> tuple[dict[str, list], list[list[bool]]]:
    """A day of batches: new and known customers, changed details, a retry, a partner, an end."""
    batches = [
        (cast.owner, mixed_batch("a", 12)),
        (cast.owner, [*mixed_batch("a", 12), *mixed_batch("b", 9)]),  # a retry plus new ones
        (
            cast.owner,
            [
                item("c-1", "K-1", customer_email="nieuw@example.nl", customer_name="Een"),
                item("c-2", "K-1", customer_licence_plate="12-ab-34", customer_language="en"),
                item("c-3", "K-2", occurred_at=AT - timedelta(days=3), journey_ended=True),
                item("c-4", "K-new", customer_phone="", customer_email=""),
                # The first item that ends a journey ends it, even when a later one is earlier.
                item("c-5", "K-end", occurred_at=AT + timedelta(hours=2), journey_ended=True),
                item("c-6", "K-end", occurred_at=AT + timedelta(hours=1), journey_ended=True),
            ],
        ),
        (cast.partner, [item("p-1", "K-1", employee="P1"), item("p-2", "K-9", employee="P1")]),
    ]
    created = []
    with transaction.atomic():
        for organisation, items in batches:
            results = record_interactions(
                organisation=organisation, items=items, actor=None, set_based_sql=set_based_sql
            )
            created.append([r.created for r in results])
        rows = stored_rows()
        transaction.set_rollback(True)
    return rows, created


def test_the_sql_path_stores_what_the_orm_path_stores(cast):
    require_postgres("the set-based SQL path runs on PostgreSQL only")
    assert record_sequence(cast, set_based_sql=True) == record_sequence(cast, set_based_sql=False)
    rows, _ = record_sequence(cast, set_based_sql=True)
    assert len(rows["interactions"]) == 12 + 9 + 6 + 2 == len(rows["planning list"])
    assert len(rows["audit"]) > len(rows["contacts"])  # changes as well as additions


def test_a_resent_batch_changes_nothing(cast):
    batch = [*mixed_batch("r", 10), item("r-late", "K-1", journey_ended=True)]
    first = record_interactions(organisation=cast.owner, items=batch)
    before = stored_rows()
    again = record_interactions(organisation=cast.owner, items=batch)
    assert stored_rows() == before
    assert [(r.id, r.external_id) for r in again] == [(r.id, r.external_id) for r in first]
    assert not any(r.created for r in again) and all(r.created for r in first)


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_recorded_once(cast):
    require_postgres("concurrent writers need PostgreSQL (SQLite runs one writer at a time)")
    batch = [item(f"z-{n}", f"K-{n % 7}", customer_name=f"Naam {n % 7}") for n in range(40)]
    answers: list[list[tuple[int, str]]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait()
            results = record_interactions(organisation=cast.owner, items=batch)
            answers.append([(r.id, r.external_id) for r in results])
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert answers[0] == answers[1]
    assert Interaction.objects.count() == 40 and Customer.objects.count() == 7
    assert CustomerContact.objects.count() == 7
    assert AuditEntry.objects.filter(action="customer.contact_added").count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_batch_changing_details_a_colleague_is_editing_waits_and_starts_from_the_edit(cast):
    require_postgres("a row lock held by another connection")
    from cxloop.customers.services import record_contact_details

    record_interactions(organisation=cast.owner, items=[item("e-1", "K-1")])
    customer = Customer.objects.get(key="K-1")
    editing, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def colleague_edits():
        try:
            with transaction.atomic():
                record_contact_details(
                    customer=customer, organisation=cast.owner, actor=None, email="new@example.nl"
                )
                editing.set()
                done.wait(timeout=30)  # the record stays locked until the batch waits for it
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    def batch_changes():
        try:
            editing.wait(timeout=30)
            record_interactions(
                organisation=cast.owner,
                items=[item("e-2", "K-1", customer_email="batch@example.nl")],
            )
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=colleague_edits), threading.Thread(target=batch_changes)]
    for thread in threads:
        thread.start()
    editing.wait(timeout=30)
    wait_until_a_connection_waits_for_a_lock()  # until the batch waits for the colleague's row lock
    done.set()
    for thread in threads:
        thread.join()
    assert failures == []
    changes = AuditEntry.objects.filter(action="customer.contact_changed").order_by("pk")
    assert [(e.before["email"], e.after["email"]) for e in changes] == [
        ("k-1@example.nl", "new@example.nl"),
        ("new@example.nl", "batch@example.nl"),
    ]
    assert CustomerContact.objects.get(customer=customer).email == "batch@example.nl"


@pytest.mark.django_db(transaction=True)
def test_a_journey_another_writer_inserts_meanwhile_gets_the_batch_s_interaction(cast):
    require_postgres("a row another connection has inserted but not committed")
    record_interactions(organisation=cast.owner, items=[item("w-0", "K-1", journey_id="other")])
    customer = Customer.objects.get(key="K-1")
    journey_type = Interaction.objects.get(external_id="w-0").journey.journey_type
    inserted, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def outside_writer():
        # Not through a batch: it does not hold the customer, so the batch's probe misses its
        # uncommitted journey and the batch's INSERT waits for it. Its own check of the
        # customer at commit does not wait for the batch (FOR KEY SHARE against the batch's
        # FOR NO KEY UPDATE).
        try:
            with transaction.atomic():
                Journey.objects.create(
                    chain=cast.chain,
                    journey_type=journey_type,
                    customer=customer,
                    external_id="claim-K-1",
                    started_at=AT - timedelta(hours=1),
                )
                inserted.set()
                done.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    def batch():
        try:
            inserted.wait(timeout=30)
            record_interactions(
                organisation=cast.owner, items=[item("w-1", "K-1", journey_ended=True)]
            )
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=outside_writer), threading.Thread(target=batch)]
    for thread in threads:
        thread.start()
    inserted.wait(timeout=30)
    wait_until_a_connection_waits_for_a_lock()  # until the batch's INSERT waits for the other writer
    done.set()
    for thread in threads:
        thread.join()
    assert failures == []
    journey = Journey.objects.get(customer=customer, external_id="claim-K-1")
    assert Interaction.objects.get(external_id="w-1").journey_id == journey.pk
    assert (journey.started_at, journey.ended_at) == (AT - timedelta(hours=1), AT)
