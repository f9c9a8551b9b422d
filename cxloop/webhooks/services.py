"""Outgoing webhooks through an outbox: recorded with the change, signed, delivered by a worker, retried.

`emit` writes one `pending` delivery per subscribed endpoint in the caller's transaction, and
asks for delivery once it commits, so a rolled-back change never reaches anyone. A worker
claims a delivery with a compare-and-set update (`pending` → `sending`), so two workers
never post the same one; it ends `delivered` (2xx), `failed` (410 Gone, which also
deactivates the endpoint, or the last attempt failed) or `pending` again with backoff. A
worker that dies while `sending` leaves a claim that the sweeper returns to `pending`.

How a receiver checks a request (`verify_signature` does exactly this):

1. take the raw request body, before parsing it as JSON;
2. compute HMAC-SHA256 with the endpoint secret (UTF-8) as key over
   ``X-Cxloop-Timestamp + "." + body`` and compare ``"sha256=" + hexdigest`` with
   ``X-Cxloop-Signature`` in constant time (``hmac.compare_digest``);
3. refuse a timestamp more than a few minutes from its own clock: it is signed, so a
   captured request cannot be replayed later with a fresh one;
4. ignore an ``X-Cxloop-Delivery`` it has processed before: a retry after a lost answer
   sends the same delivery (same id, same body) again.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from datetime import datetime, timedelta
from urllib.error import HTTPError

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cxloop.audit.services import Actor, record_change, snapshot
from cxloop.messaging.services import BACKOFF_MINUTES, CLAIM_TIMEOUT
from cxloop.orgs.models import Organisation
from cxloop.webhooks.models import EVENTS, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

LAST_ATTEMPT = len(BACKOFF_MINUTES) + 1
TIMEOUT_SECONDS = 10
SIGNATURE_TOLERANCE = timedelta(minutes=5)
USER_AGENT = "cxloop-webhooks/1"


ENDPOINT_FIELDS = ["url", "events", "is_active"]  # never the secret


def create_endpoint(
    *,
    organisation: Organisation,
    url: str,
    events: list[str],
    is_active: bool = True,
    actor: Actor = None,
) -> WebhookEndpoint:
    """Register an endpoint with a new secret, after checking its URL and events."""
    endpoint = WebhookEndpoint(
        organisation=organisation, url=url, events=events, is_active=is_active
    )
    endpoint.full_clean()
    endpoint.save()
    # Case data leaves cxloop through it: who registered where is on record.
    record_change(
        actor=actor,
        action="webhook.created",
        target=endpoint,
        organisation=organisation,
        after=snapshot(endpoint, ENDPOINT_FIELDS),
    )
    return endpoint


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint, actor: Actor = None) -> None:
    """Remove an endpoint and its deliveries."""
    record_change(
        actor=actor,
        action="webhook.deleted",
        target=endpoint,
        organisation=endpoint.organisation,
        before=snapshot(endpoint, ENDPOINT_FIELDS),
    )
    endpoint.delete()


def send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a signed `ping` to the endpoint now and answer how it went (an endpoint may take it
    whatever events it subscribes to; it is retried like any delivery when it fails)."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="ping",
        payload={"endpoint_id": endpoint.pk, "organisation": endpoint.organisation.slug},
    )
    return deliver(delivery_id=delivery.pk) or delivery


def deactivate_endpoint(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop sending to an endpoint; its pending deliveries fail when their turn comes."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    endpoint.is_active = False
    logger.warning("webhook endpoint %s deactivated: %s", endpoint.pk, reason)
    return endpoint


def emit(*, organisation: Organisation, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record the event for every active endpoint of the organisation that wants it; sent after commit."""
    if event not in EVENTS:
        raise ValueError(
            f"unknown webhook event {event!r}; add it to cxloop.webhooks.models.EVENTS"
        )
    # Subscriptions are filtered here, not in SQL: JSON containment is not portable to SQLite,
    # and an organisation has a handful of endpoints. No endpoints costs this one query.
    endpoints = WebhookEndpoint.objects.filter(organisation=organisation, is_active=True)
    wanted = [endpoint for endpoint in endpoints if event in endpoint.events]
    if not wanted:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, payload=payload) for endpoint in wanted]
    )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue_deliveries(delivery_ids))
    return deliveries


def _enqueue_deliveries(delivery_ids: list[int]) -> None:
    from cxloop.webhooks.tasks import deliver_webhook_task

    for delivery_id in delivery_ids:
        deliver_webhook_task.enqueue(delivery_id)


def claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    """Take a pending delivery; None if another worker has it or it is not due."""
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return (
        WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id) if claimed else None
    )


def deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Post one pending delivery to its endpoint; safe to call from several workers at once."""
    now = now or timezone.now()
    delivery = claim(delivery_id, now=now)
    if delivery is None:
        return None
    if not delivery.endpoint.is_active:
        return _finish(delivery, status=WebhookDelivery.Status.FAILED, error="endpoint is inactive")
    try:
        status_code, detail = _post(delivery)
    except Exception as error:  # noqa: BLE001 - timeouts, refused connections, bad replies: all retried
        return _retry_or_fail(
            delivery, status_code=None, error=f"{error.__class__.__name__}: {error}", now=now
        )
    if 200 <= status_code < 300:
        return _finish(delivery, status=WebhookDelivery.Status.DELIVERED, status_code=status_code)
    if status_code == 410:
        # The receiver says this URL is gone for good; retrying would only knock on a closed door.
        deactivate_endpoint(
            endpoint=delivery.endpoint, reason=f"delivery {delivery.pk} answered 410 Gone"
        )
        return _finish(
            delivery,
            status=WebhookDelivery.Status.FAILED,
            status_code=410,
            error=f"HTTP 410: {detail}",
        )
    return _retry_or_fail(
        delivery, status_code=status_code, error=f"HTTP {status_code}: {detail}", now=now
    )


def body_for(delivery: WebhookDelivery) -> bytes:
    """The JSON body; the same bytes on every attempt, so a receiver sees one delivery retried."""
    document = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(
        document, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Cxloop-Signature value: "sha256=" and the hex HMAC-SHA256 of "{timestamp}.{body}"."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    *,
    secret: str,
    timestamp: str | int,
    body: bytes | str,
    signature: str,
    now: datetime | None = None,
    tolerance: timedelta | None = SIGNATURE_TOLERANCE,
) -> bool:
    """True when the signature fits the body and timestamp and the timestamp is recent; for receivers."""
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError):
        return False
    if (
        tolerance is not None
        and abs((now or timezone.now()).timestamp() - seconds) > tolerance.total_seconds()
    ):
        return False
    raw = body.encode() if isinstance(body, str) else body
    expected = sign(secret=secret, timestamp=seconds, body=raw)
    return hmac.compare_digest(expected.encode(), signature.encode())


def build_request(delivery: WebhookDelivery, *, timestamp: int) -> urllib.request.Request:
    """The signed POST for one attempt."""
    body = body_for(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Cxloop-Event": delivery.event,
        "X-Cxloop-Delivery": str(delivery.uuid),
        "X-Cxloop-Timestamp": str(timestamp),
        "X-Cxloop-Signature": sign(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
    }
    return urllib.request.Request(delivery.endpoint.url, data=body, headers=headers, method="POST")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect as the 3xx it is: urllib would turn the POST into a GET without the body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    # Only http(s) handlers, unlike build_opener, which would also open file:// and ftp:// URLs.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _NoRedirect(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _post(delivery: WebhookDelivery) -> tuple[int, str]:
    """POST the delivery; the HTTP status and the start of the answer, also for refusals."""
    # The wall clock, not the worker's `now`: a sweep that started minutes ago must not send
    # timestamps that receivers already consider too old.
    request = build_request(delivery, timestamp=int(time.time()))
    try:
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except HTTPError as error:
        with error:
            return error.code, error.read(300).decode("utf-8", "replace")


def _finish(
    delivery: WebhookDelivery, *, status: str, status_code: int | None = None, error: str = ""
) -> WebhookDelivery:
    delivery.status = status
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    if status == WebhookDelivery.Status.DELIVERED:
        delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["status", "last_status_code", "last_error", "delivered_at"])
    if status == WebhookDelivery.Status.FAILED:
        logger.warning(
            "webhook delivery %s failed after attempt %s: %s", delivery.pk, delivery.attempts, error
        )
    return delivery


def _retry_or_fail(
    delivery: WebhookDelivery, *, status_code: int | None, error: str, now: datetime
) -> WebhookDelivery:
    if delivery.attempts >= LAST_ATTEMPT:
        return _finish(
            delivery, status=WebhookDelivery.Status.FAILED, status_code=status_code, error=error
        )
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[delivery.attempts - 1])
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    delivery.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_error"])
    logger.info(
        "webhook delivery %s retried at %s: %s", delivery.pk, delivery.next_attempt_at, error
    )
    _enqueue_retry(delivery)
    return delivery


def _enqueue_retry(delivery: WebhookDelivery) -> None:
    from cxloop.webhooks.tasks import deliver_webhook_task

    if deliver_webhook_task.get_backend().supports_defer:
        deliver_webhook_task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    # Without a deferring backend the sweeper picks the retry up when it is due.


def release_stale_claims(*, now: datetime) -> int:
    """Return deliveries whose worker died while sending to `pending`, so they are not lost."""
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)


def due_deliveries(*, now: datetime, limit: int = 500) -> list[int]:
    """Pending deliveries whose (next) attempt is due, oldest first."""
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
