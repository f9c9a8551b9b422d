"""Outgoing webhooks: sent once per subscribed endpoint, signed, retried with backoff, never after a rollback."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cxloop.lib.testing.smtp import free_port, silent_server
from cxloop.lib.testing.webhooks import Received, http_receiver
from cxloop.messaging.services import BACKOFF_MINUTES, CLAIM_TIMEOUT
from cxloop.webhooks import services
from cxloop.webhooks.models import WebhookDelivery
from cxloop.webhooks.services import create_endpoint, deliver, due_deliveries, verify_signature
from cxloop.webhooks.tasks import deliver_webhook_task

pytestmark = pytest.mark.django_db

PAYLOAD = {"case": 7, "reason": "NPS 3 na schademelding", "due_at": "2026-11-24T10:00:00+01:00"}


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


@pytest.fixture
def emit_committed(django_capture_on_commit_callbacks):
    """Emit as a committed change would: the deliveries run at once (tasks are immediate in tests)."""

    def emit(**kwargs) -> list[WebhookDelivery]:
        with django_capture_on_commit_callbacks(execute=True):
            return services.emit(**kwargs)

    return emit


def independent_signature(secret: str, request: Received) -> str:
    """The signature as a receiver in another language would compute it, without our helpers."""
    signed = request.headers["X-Cxloop-Timestamp"].encode() + b"." + request.body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def assert_signed(secret: str, request: Received) -> None:
    assert request.headers["X-Cxloop-Signature"] == independent_signature(secret, request)
    assert verify_signature(
        secret=secret,
        timestamp=request.headers["X-Cxloop-Timestamp"],
        body=request.body,
        signature=request.headers["X-Cxloop-Signature"],
    )


def test_a_subscribed_endpoint_receives_the_event_once_signed(cast, receiver, emit_committed):
    endpoint = create_endpoint(
        organisation=cast.owner, url=receiver.url("/crm"), events=["case.opened", "case.closed"]
    )
    [delivery] = emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD)

    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/crm")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Cxloop-Event"] == "case.opened"
    assert request.headers["X-Cxloop-Delivery"] == str(delivery.uuid)
    assert abs(int(request.headers["X-Cxloop-Timestamp"]) - time.time()) < 60
    assert_signed(endpoint.secret, request)
    assert json.loads(request.body) == {
        "id": str(delivery.uuid),
        "event": "case.opened",
        "created_at": delivery.created_at.isoformat(),
        "data": PAYLOAD,
    }
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 200, "")
    assert delivery.delivered_at is not None
    # The task running a second time (a duplicate enqueue, a sweeper) sends nothing more.
    assert deliver_webhook_task.enqueue(delivery.pk).return_value is None
    assert len(receiver.requests) == 1


def test_the_signature_fails_for_another_secret_body_or_timestamp_and_when_old(cast):
    secret, body, now = "whsec_test", b'{"id":"1"}', timezone.now()
    timestamp = int(now.timestamp())
    signature = services.sign(secret=secret, timestamp=timestamp, body=body)
    check = dict(secret=secret, timestamp=str(timestamp), body=body, signature=signature, now=now)
    assert verify_signature(**check)
    assert verify_signature(**{**check, "body": body.decode()})
    assert not verify_signature(**{**check, "secret": "whsec_other"})
    assert not verify_signature(**{**check, "body": b'{"id":"2"}'})
    assert not verify_signature(**{**check, "timestamp": str(timestamp + 1)})
    assert not verify_signature(**{**check, "timestamp": "yesterday"})
    assert not verify_signature(**{**check, "signature": "sha256=ü"})
    # A captured request replayed ten minutes later is refused, though its signature is genuine.
    assert not verify_signature(**{**check, "now": now + timedelta(minutes=10)})
    assert verify_signature(**{**check, "now": now + timedelta(minutes=10), "tolerance": None})


def test_unsubscribed_inactive_and_other_organisations_endpoints_receive_nothing(
    cast, receiver, emit_committed
):
    wanted = create_endpoint(
        organisation=cast.owner, url=receiver.url("/wanted"), events=["case.opened"]
    )
    create_endpoint(
        organisation=cast.owner, url=receiver.url("/closed-only"), events=["case.closed"]
    )
    create_endpoint(
        organisation=cast.owner,
        url=receiver.url("/inactive"),
        events=["case.opened"],
        is_active=False,
    )
    create_endpoint(organisation=cast.partner, url=receiver.url("/partner"), events=["case.opened"])
    create_endpoint(
        organisation=cast.outsider_org, url=receiver.url("/outsider"), events=["case.opened"]
    )

    deliveries = emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD)

    assert [delivery.endpoint for delivery in deliveries] == [wanted]
    assert [request.path for request in receiver.requests] == ["/wanted"]
    assert WebhookDelivery.objects.count() == 1


def test_emit_costs_one_query_when_nobody_listens(cast, django_assert_num_queries):
    create_endpoint(
        organisation=cast.owner, url="https://crm.example.nl/hook", events=["case.closed"]
    )
    with django_assert_num_queries(1):
        assert services.emit(organisation=cast.partner, event="case.opened", payload=PAYLOAD) == []
    with django_assert_num_queries(1):
        assert services.emit(organisation=cast.owner, event="case.opened", payload=PAYLOAD) == []


def test_unknown_events_and_non_http_urls_are_refused(cast):
    with pytest.raises(ValueError, match="case.reopened"):
        services.emit(organisation=cast.owner, event="case.reopened", payload={})
    with pytest.raises(ValidationError, match="case.opend"):
        create_endpoint(
            organisation=cast.owner, url="https://crm.example.nl/hook", events=["case.opend"]
        )
    for url in ["file:///etc/passwd", "ftp://crm.example.nl/hook"]:
        with pytest.raises(ValidationError):
            create_endpoint(organisation=cast.owner, url=url, events=["case.opened"])
    endpoint = create_endpoint(
        organisation=cast.owner, url="https://crm.example.nl/hook", events=["case.opened"]
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40


def test_a_server_error_is_retried_after_the_backoff_and_delivered_once(cast, emit_committed):
    with http_receiver(statuses=[500]) as receiver:
        endpoint = create_endpoint(
            organisation=cast.owner, url=receiver.url(), events=["case.escalated"]
        )
        [delivery] = emit_committed(
            organisation=cast.owner, event="case.escalated", payload=PAYLOAD
        )
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.last_error.startswith("HTTP 500")
        assert delivery.next_attempt_at - timezone.now() > timedelta(
            minutes=BACKOFF_MINUTES[0]
        ) - timedelta(seconds=30)
        assert due_deliveries(now=timezone.now()) == []  # not due yet
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            for delivery_id in due_deliveries(now=timezone.now()):
                deliver(delivery_id=delivery_id)
            assert due_deliveries(now=timezone.now()) == []
            assert_signed(
                endpoint.secret, receiver.requests[1]
            )  # signed with the time of the retry

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    first, retry = receiver.requests
    assert (first.status, retry.status) == (500, 200)
    # The same delivery again: a receiver that processed the first one can tell.
    assert first.headers["X-Cxloop-Delivery"] == retry.headers["X-Cxloop-Delivery"]
    assert first.body == retry.body


def test_a_receiver_that_is_down_is_retried_and_fails_after_the_last_attempt(cast, emit_committed):
    create_endpoint(
        organisation=cast.owner, url=f"http://127.0.0.1:{free_port()}/hook", events=["case.opened"]
    )
    [delivery] = emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD)
    moment = timezone.now()
    for minutes in BACKOFF_MINUTES:
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert due_deliveries(now=moment) == []
        moment += timedelta(minutes=minutes, seconds=1)
        assert due_deliveries(now=moment) == [delivery.pk]
        deliver(delivery_id=delivery.pk, now=moment)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(BACKOFF_MINUTES) + 1
    assert delivery.last_status_code is None and "refused" in delivery.last_error.lower()
    assert due_deliveries(now=moment + timedelta(days=7)) == []


def test_a_receiver_that_never_answers_times_out_and_is_retried(cast, emit_committed, monkeypatch):
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 0.5)
    with silent_server() as port:
        create_endpoint(
            organisation=cast.owner, url=f"http://127.0.0.1:{port}/hook", events=["case.opened"]
        )
        started = time.monotonic()
        [delivery] = emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD)
    assert time.monotonic() - started < 5
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "timed out" in delivery.last_error


def test_gone_deactivates_the_endpoint_and_fails_what_is_still_pending(
    cast, emit_committed, django_capture_on_commit_callbacks
):
    with http_receiver(statuses=[410]) as receiver:
        endpoint = create_endpoint(
            organisation=cast.owner, url=receiver.url(), events=["case.opened", "case.closed"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            [first] = services.emit(organisation=cast.owner, event="case.opened", payload=PAYLOAD)
            [second] = services.emit(organisation=cast.owner, event="case.closed", payload=PAYLOAD)
        assert emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD) == []

    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.last_status_code) == ("failed", 1, 410)
    assert (second.status, second.last_error) == ("failed", "endpoint is inactive")


def test_a_redirect_is_not_followed_but_retried(cast, emit_committed):
    with http_receiver(statuses=[302]) as receiver:
        create_endpoint(organisation=cast.owner, url=receiver.url(), events=["case.opened"])
        [delivery] = emit_committed(organisation=cast.owner, event="case.opened", payload=PAYLOAD)
    assert [(request.method, request.path) for request in receiver.requests] == [("POST", "/hook")]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_an_emit_in_a_transaction_that_rolls_back_sends_nothing(
    cast, receiver, django_capture_on_commit_callbacks
):
    create_endpoint(organisation=cast.owner, url=receiver.url(), events=["case.opened"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.emit(organisation=cast.owner, event="case.opened", payload=PAYLOAD)
            raise RuntimeError("the change that caused the event failed")
    assert callbacks == []
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_claim_left_by_a_dead_worker_is_released_and_delivered_once(cast, receiver):
    create_endpoint(organisation=cast.owner, url=receiver.url(), events=["case.opened"])
    [delivery] = services.emit(
        organisation=cast.owner, event="case.opened", payload=PAYLOAD
    )  # not committed: no send
    now = timezone.now()
    assert services.claim(delivery.pk, now=now) is not None  # a worker claims it and dies
    assert services.claim(delivery.pk, now=now) is None  # nobody else can take it meanwhile
    assert (
        services.release_stale_claims(now=now + timedelta(minutes=1)) == 0
    )  # it may still be working

    later = now + CLAIM_TIMEOUT + timedelta(minutes=1)
    assert services.release_stale_claims(now=later) == 1
    for delivery_id in due_deliveries(now=later):
        deliver(delivery_id=delivery_id, now=later)
    assert deliver(delivery_id=delivery.pk, now=later) is None
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_four_workers_racing_for_one_delivery_post_it_once(cast, receiver):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for truly parallel workers; runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)"
        )
    endpoint = create_endpoint(organisation=cast.owner, url=receiver.url(), events=["case.opened"])
    # Written directly, not emitted: emit would deliver it on commit before the workers start.
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="case.opened", payload=PAYLOAD
    )
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        deliver(delivery_id=delivery.pk)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receiver.requests) == 1
