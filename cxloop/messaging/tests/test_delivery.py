"""Delivery through the outbox: bounces stop attempts, failures retry with backoff, nothing is lost or doubled."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cxloop.conftest import interaction_payload
from cxloop.customers.models import CustomerContact
from cxloop.lib.testing.smtp import free_port, silent_server, smtp_server
from cxloop.messaging import services
from cxloop.messaging.models import OutboxMessage
from cxloop.server.sweeper import sweep
from cxloop.surveys.models import Invitation, InvitationDecision

pytestmark = pytest.mark.django_db


def smtp_settings(port: int, **extra):
    return override_settings(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        **extra,
    )


def test_a_hard_bounce_marks_the_address_invalid_and_stops_further_attempts(cast, post_interaction):
    with smtp_server(reject={"klant@example.nl"}) as mailbox, smtp_settings(mailbox.port):
        post_interaction(interaction_payload("lw-1"))
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.BOUNCED and "550" in message.error
    assert CustomerContact.objects.get(organisation=cast.owner).email_invalid_at is not None
    assert Invitation.objects.get().status == Invitation.Status.FAILED
    assert mailbox.messages == []
    # A later interaction does not try the dead address again.
    from cxloop.surveys.models import ContactPolicy

    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0)
    post_interaction(interaction_payload("lw-2", journey_id="claim-2"))
    assert InvitationDecision.objects.latest("pk").reason == "no_address"


def test_an_unreachable_server_is_retried_with_backoff_and_delivers_once(cast, post_interaction):
    port = free_port()  # nothing listens here yet
    with smtp_settings(port):
        post_interaction(interaction_payload("lw-1"))
        message = OutboxMessage.objects.get()
        assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
        assert message.next_attempt_at > timezone.now()
        assert sweep().messages_delivered == 0  # not due yet
        with (
            smtp_server(port=port) as mailbox,
            time_machine.travel(message.next_attempt_at + timedelta(seconds=1)),
        ):
            sweep()
            sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["Message-ID"] == message.message_id


def test_a_message_fails_for_good_after_the_last_backoff(cast, post_interaction):
    with smtp_settings(free_port()):
        post_interaction(interaction_payload("lw-1"))
        message = OutboxMessage.objects.get()
        moment = timezone.now()
        for minutes in services.BACKOFF_MINUTES:
            moment += timedelta(minutes=minutes, seconds=1)
            services.deliver_message(message_id=message.pk, now=moment)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == len(services.BACKOFF_MINUTES) + 1
    assert Invitation.objects.get().status == Invitation.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_neither_loses_nor_doubles_the_message(cast, post_interaction):
    """The worker hangs on an SMTP server that never answers and is killed; the sweeper delivers it once."""
    with smtp_settings(free_port()):
        post_interaction(interaction_payload("lw-1"))
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=None, attempts=0
    )
    db = connection.settings_dict
    url = (
        f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    with silent_server() as hanging_port:
        env = {
            **os.environ,
            "CXLOOP_DATABASE_URL": url,
            "CXLOOP_EMAIL_HOST": "127.0.0.1",
            "CXLOOP_EMAIL_PORT": str(hanging_port),
            "CXLOOP_EMAIL_TIMEOUT": "120",
            "CXLOOP_SECRET_KEY": settings.SECRET_KEY,
        }
        code = f"from cxloop.messaging.services import deliver_message; deliver_message(message_id={message.pk})"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cxloop.settings'; django.setup(); {code}",
            ],
            env=env,
        )
        deadline = time.monotonic() + 30
        while OutboxMessage.objects.get(pk=message.pk).status != OutboxMessage.Status.SENDING:
            assert time.monotonic() < deadline, "the worker never claimed the message"
            assert worker.poll() is None, "the worker exited before hanging"
            time.sleep(0.1)
        time.sleep(0.5)  # it is now waiting for the SMTP greeting
        worker.kill()
        worker.wait(timeout=10)
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENDING
    with smtp_server() as mailbox, smtp_settings(mailbox.port):
        assert sweep().released_claims == 0  # a fresh claim may still be working
        with time_machine.travel(timezone.now() + services.CLAIM_TIMEOUT + timedelta(minutes=1)):
            report = sweep()
            sweep()
    assert report.released_claims == 1
    assert len(mailbox.messages) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_message_deliver_it_once(cast, post_interaction):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for truly parallel workers; runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)"
        )
    with smtp_settings(free_port()):
        post_interaction(interaction_payload("lw-1"))
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=None
    )
    start = threading.Barrier(4)
    with smtp_server() as mailbox, smtp_settings(mailbox.port):

        def worker() -> None:
            start.wait()
            services.deliver_message(message_id=message.pk)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(mailbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_older_than_the_lease_delivers_once_while_another_sweep_recovers_claims(
    cast, post_interaction
):
    """A long sweep hands its start time to deliver_message; the claim still starts a fresh lease."""
    with smtp_settings(free_port()):
        post_interaction(interaction_payload("lw-1"))
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=None, attempts=0
    )
    released = []

    def another_workers_recovery() -> None:
        released.append(services.release_stale_claims(now=timezone.now()))
        connection.close()  # the SMTP server's thread

    sweep_started = timezone.now() - services.claim_lease() - timedelta(seconds=5)
    with (
        smtp_server(on_data=another_workers_recovery) as mailbox,
        smtp_settings(mailbox.port),
    ):
        delivered = services.deliver_message(message_id=message.pk, now=sweep_started)
        assert services.deliver_message(message_id=message.pk) is None  # nothing to send again
    assert released == [0]
    assert delivered is not None and delivered.status == OutboxMessage.Status.SENT
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert len(mailbox.messages) == 1


def test_messages_delivered_together_go_out_on_one_task_and_a_refusal_touches_only_its_own(
    cast, django_capture_on_commit_callbacks
):
    from django.db import transaction

    recipients = ["een@example.nl", "twee@example.nl", "drie@example.nl"]
    with (
        smtp_server(reject={"twee@example.nl"}) as mailbox,
        smtp_settings(mailbox.port),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        with transaction.atomic(), services.delivered_together():
            for recipient in recipients:
                services.queue_email(
                    organisation=cast.owner, recipient=recipient, subject="Hallo", text="Tekst"
                )
    assert len(callbacks) == 1  # one delivery task for the three
    statuses = dict(OutboxMessage.objects.values_list("recipient", "status"))
    assert statuses == {
        "een@example.nl": OutboxMessage.Status.SENT,
        "twee@example.nl": OutboxMessage.Status.BOUNCED,
        "drie@example.nl": OutboxMessage.Status.SENT,
    }
    assert sorted(message["To"] for message in mailbox.messages) == [
        "drie@example.nl",
        "een@example.nl",
    ]
