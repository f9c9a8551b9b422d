"""Sending a planned batch of invitations: the same outcome as sending them one by one, in a
number of queries that does not grow with the batch."""

from contextlib import suppress
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxloop.customers.models import ContactSharing, Customer
from cxloop.journeys.services import InteractionInput, record_interactions
from cxloop.messaging.models import OutboxMessage
from cxloop.surveys.models import Invitation, InvitationRule
from cxloop.surveys.services import send_invitation, send_invitations

pytestmark = pytest.mark.django_db

# Five days ago, so that a three-day reminder is due already and goes out when the batch commits.
NOW = timezone.now() - timedelta(days=5)
_numbers = count(1)


def _invitation(
    cast,
    *,
    organisation=None,
    email: str = "",
    phone: str = "",
    language: str = "nl",
    channel: str = "email",
    send_after: timedelta = -timedelta(hours=1),
    expires_after: timedelta = timedelta(days=14),
    rule: InvitationRule | None = None,
    status: str = Invitation.Status.SCHEDULED,
    customer_key: str = "",
) -> Invitation:
    """An invitation of a new interaction (of a customer of its own unless `customer_key` names
    one), with the details given as its organisation supplied them; times relative to NOW."""
    organisation = organisation or cast.owner
    number = next(_numbers)
    [recorded] = record_interactions(
        organisation=organisation,
        items=[
            InteractionInput(
                external_id=f"send-{number}",
                occurred_at=NOW - timedelta(hours=2),
                customer_key=customer_key or f"S-{number}",
                journey_id=f"sj-{number}",
                journey_type=cast.journey_type.slug,
                channel=cast.phone.slug,
                customer_email=email,
                customer_phone=phone,
                customer_language=language,
            )
        ],
    )
    interaction = recorded.interaction
    return Invitation.objects.create(
        organisation=organisation,
        survey=cast.survey,
        customer_id=interaction.customer_id,
        journey_id=interaction.journey_id,
        interaction=interaction,
        rule=rule,
        channel=channel,
        status=status,
        send_after=NOW + send_after,
        expires_at=NOW + expires_after,
    )


@pytest.fixture
def mixed_batch(cast) -> dict[str, Invitation]:
    """One invitation of each kind a planned batch can hold, by what should become of it."""
    reminding = InvitationRule.objects.create(
        organisation=cast.owner, survey=cast.survey, reminder_after_days=3, valid_days=30
    )
    ContactSharing.objects.create(chain=cast.chain, partners_use_owner_details=True)
    opted_out = _invitation(cast, email="weg@example.nl")
    Customer.objects.filter(pk=opted_out.customer_id).update(opted_out_at=NOW - timedelta(days=1))
    # The partner has no address of its own; the chain lets it use the journey owner's.
    _invitation(cast, email="gedeeld@example.nl", customer_key="SHARED")
    shared = _invitation(cast, organisation=cast.partner, customer_key="SHARED")
    return {
        "dutch_email": _invitation(cast, email="jan@example.nl", language="nl"),
        "english_email_reminded": _invitation(
            cast,
            email="john@example.com",
            language="en",
            rule=reminding,
            expires_after=timedelta(days=30),
        ),
        "not_yet_due": _invitation(cast, email="later@example.nl", send_after=timedelta(hours=1)),
        "opted_out": opted_out,
        "expired": _invitation(cast, email="oud@example.nl", expires_after=timedelta(0)),
        "no_email_address": _invitation(cast, phone="+31611111111"),
        "english_sms": _invitation(cast, phone="+447700900123", language="en", channel="sms"),
        "no_phone_number": _invitation(cast, email="sms@example.nl", channel="sms"),
        "already_sent": _invitation(cast, email="al@example.nl", status=Invitation.Status.SENT),
        "partner_with_owners_address": shared,
    }


class _Undo(Exception):
    pass


def _outcome(send, captured):
    """What sending does to the invitations and the outbox, including what runs once the
    transaction commits (delivery, a due reminder); then undone, for the next way of sending."""
    with suppress(_Undo), transaction.atomic():
        with captured(execute=True):
            returned = send()
        invitations = list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "status", "error", "token_hash", "sent_at", "reminder_due_at", "channel"
            )
        )
        reminded = set(
            Invitation.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True)
        )
        messages = list(
            # Ids, Message-IDs and creation times differ from run to run by nature.
            OutboxMessage.objects.order_by("pk").values_list(
                "subject_id",
                "purpose",
                "channel",
                "sender",
                "recipient",
                "reply_to",
                "subject",
                "body_text",
                "body_html",
                "links",
                "status",
            )
        )
        message_ids = list(
            OutboxMessage.objects.order_by("pk").values_list("message_id", flat=True)
        )
        result = (returned, invitations, reminded, messages, message_ids)
        raise _Undo
    return result


def _invitation_rows(outcome):
    return {row[0]: row for row in outcome[1]}


def test_a_mixed_batch_ends_as_sending_one_by_one(
    cast, mixed_batch, django_capture_on_commit_callbacks
):
    # Out of id order, with one id twice: sent in the order given, as a task would list them.
    ids = [i.pk for i in reversed(mixed_batch.values())] + [mixed_batch["dutch_email"].pk]

    def one_by_one():
        with transaction.atomic():
            return sum(
                send_invitation(invitation_id=pk, now=NOW).status == Invitation.Status.SENT
                for pk in ids
            )

    single = _outcome(one_by_one, django_capture_on_commit_callbacks)
    batch = _outcome(
        lambda: send_invitations(invitation_ids=ids, now=NOW), django_capture_on_commit_callbacks
    )
    assert batch[:4] == single[:4]

    # And what that outcome is.
    count, _, reminded, messages, message_ids = batch
    rows = _invitation_rows(batch)
    status = {name: rows[i.pk][1:3] for name, i in mixed_batch.items()}
    assert status == {
        "dutch_email": ("sent", ""),
        "english_email_reminded": ("sent", ""),
        "not_yet_due": ("scheduled", ""),
        "opted_out": ("cancelled", "the customer opted out"),
        "expired": ("expired", ""),
        "no_email_address": ("failed", "no valid e-mail address"),
        "english_sms": ("sent", ""),
        "no_phone_number": ("failed", "no valid phone number"),
        "already_sent": ("sent", ""),
        "partner_with_owners_address": ("sent", ""),
    }
    assert count == 6  # the four sent now, the one sent before and the repeated id
    for name in ("dutch_email", "english_email_reminded", "english_sms"):
        _, _, _, token_hash, sent_at, _, _ = rows[mixed_batch[name].pk]
        assert sent_at == NOW and token_hash and len(token_hash) == 64
    reminded_invitation = mixed_batch["english_email_reminded"]
    assert rows[reminded_invitation.pk][5] == NOW + timedelta(days=3)
    assert rows[mixed_batch["dutch_email"].pk][5] is None
    assert reminded == {reminded_invitation.pk}

    by_invitation = {(m[0], m[1]): m for m in messages}
    assert list(by_invitation) == [
        (mixed_batch["partner_with_owners_address"].pk, "invitation"),
        (mixed_batch["english_sms"].pk, "invitation"),
        (reminded_invitation.pk, "invitation"),
        (mixed_batch["dutch_email"].pk, "invitation"),
        (reminded_invitation.pk, "reminder"),
    ]
    dutch = by_invitation[(mixed_batch["dutch_email"].pk, "invitation")]
    english = by_invitation[(reminded_invitation.pk, "invitation")]
    sms = by_invitation[(mixed_batch["english_sms"].pk, "invitation")]
    shared = by_invitation[(mixed_batch["partner_with_owners_address"].pk, "invitation")]
    assert dutch[2:7] == (
        "email",
        "klantbeleving@leasewijs.nl",
        "jan@example.nl",
        "service@leasewijs.nl",
        "Hoe was uw contact met Leasewijs?",
    )
    assert english[4] == "john@example.com"
    assert english[6] == "How was your contact with Leasewijs?"
    assert dutch[9] == {
        "survey": mixed_batch["dutch_email"].pk,
        "opt_out": mixed_batch["dutch_email"].customer_id,
    }
    assert sms[2:5] == ("sms", "Leasewijs", "+447700900123")
    assert sms[7].startswith("Leasewijs: how was your contact with us?")
    assert shared[4] == "gedeeld@example.nl"
    assert all(m[10] == OutboxMessage.Status.STORED for m in messages)  # delivered after commit
    owners_mail = [
        i
        for m, i in zip(messages, message_ids, strict=True)
        if m[3] == "klantbeleving@leasewijs.nl"
    ]
    assert len(owners_mail) == 3 and all(i.endswith("@leasewijs.nl>") for i in owners_mail)


def _due_batch(cast, size: int) -> list[int]:
    """`size` due invitations of the owner and the partner, by e-mail and by text, Dutch and English."""
    ContactSharing.objects.create(chain=cast.chain, partners_use_owner_details=True)
    kinds = [
        {"email": "a@example.nl"},
        {"phone": "+31622222222", "channel": "sms", "language": "en"},
        {"organisation": cast.partner, "email": "b@example.nl", "language": "en"},
    ]
    return [_invitation(cast, **kinds[n % len(kinds)]).pk for n in range(size)]


def _queries_to_send(ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        sent = send_invitations(invitation_ids=ids, now=NOW)
    assert sent == len(ids)
    return len(queries)


def test_a_batch_is_sent_in_the_same_number_of_queries_whatever_its_size(cast):
    # Lock and read, two for the contact details, one UPDATE, one INSERT: five (on SQLite one
    # INSERT more per 55 messages, Django's batch of 999 parameters; here 15 at most).
    ids = _due_batch(cast, 18)
    assert _queries_to_send(ids[:3]) == _queries_to_send(ids[3:])
    assert OutboxMessage.objects.filter(purpose="invitation").count() == 18


def test_sending_again_sends_nothing(cast):
    ids = _due_batch(cast, 3)
    assert send_invitations(invitation_ids=ids, now=NOW) == 3
    assert send_invitations(invitation_ids=ids, now=NOW) == 3  # still sent: counted, not resent
    assert OutboxMessage.objects.count() == 3


def test_a_batch_with_an_invitation_gone_sends_none_of_it(cast):
    ids = _due_batch(cast, 3)
    Invitation.objects.filter(pk=ids[1]).delete()
    with pytest.raises(Invitation.DoesNotExist):
        send_invitations(invitation_ids=ids, now=NOW)
    assert not OutboxMessage.objects.exists()
    assert set(Invitation.objects.values_list("status", flat=True)) == {"scheduled"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_overlapping_batches_send_each_invitation_once(cast):
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly parallel workers; runs in the PostgreSQL pass")
    # Interactions recorded here are planned at once (no test transaction): no rule may invite.
    InvitationRule.objects.update(is_active=False)
    ids = _due_batch(cast, 40)
    start = threading.Barrier(2)
    errors: list[Exception] = []

    def worker(batch: list[int]) -> None:
        start.wait()
        try:
            send_invitations(invitation_ids=batch, now=NOW)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    # In opposite orders: each worker locks in id order, so neither waits for the other in turn.
    threads = [
        threading.Thread(target=worker, args=(batch,)) for batch in (ids, list(reversed(ids)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(
        OutboxMessage.objects.filter(purpose="invitation").values_list("subject_id", flat=True)
    ) == sorted(ids)
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
