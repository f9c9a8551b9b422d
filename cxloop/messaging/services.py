"""Sending messages through the outbox: recorded first, delivered by a worker, retried, never twice.

A message is written as `pending` in the same transaction as the change that causes it.
A worker claims it with a compare-and-set update (`pending` → `sending`), so two workers
never deliver the same row; delivery ends in `sent`, `stored` (no SMTP configured),
`bounced` (permanent refusal: the address is marked invalid) or a retry with backoff.
A claim is a lease: the worker holding it renews `claimed_at` at every heartbeat
(`renew_claims`), and a claim not renewed for CXLOOP_WORKER_LEASE_SECONDS belonged to a worker
that died mid-send; `release_stale_claims` returns it to `pending` and queues it again.

Links that carry a token are stored as markers and put in only when the message is transmitted
(messaging/links.py), so the outbox holds nothing a reader could use to act as the recipient.
"""

import logging
import smtplib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cxloop.messaging import links as message_links
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import Organisation

logger = logging.getLogger(__name__)

# Minutes to wait before attempt 2, 3, ...; after the last one the message has failed.
BACKOFF_MINUTES = (1, 5, 30, 120, 720)
# For claims that nobody renews (webhook deliveries); outbox claims use claim_lease().
CLAIM_TIMEOUT = timedelta(minutes=10)
FailureHandler = Callable[[OutboxMessage], None]
_failure_handlers: dict[str, FailureHandler] = {}
# Messages this process is sending now; its worker renews their claims (see renew_claims).
_held: set[int] = set()


def claim_lease() -> timedelta:
    """How long an outbox claim lasts without renewal: the workers' lease."""
    return timedelta(seconds=settings.CXLOOP_WORKER_LEASE_SECONDS)


def on_failure(purpose: str, handler: FailureHandler) -> None:
    """Let the app that sent messages of a purpose react when one bounces or fails for good."""
    _failure_handlers[purpose] = handler


def sender_for(organisation: Organisation | None) -> tuple[str, str]:
    """From and reply-to addresses: the organisation's own, never a no-reply."""
    sender = (organisation.sender_email if organisation else "") or settings.DEFAULT_FROM_EMAIL
    reply_to = (organisation.reply_to_email if organisation else "") or sender
    return sender, reply_to


def smtp_configured() -> bool:
    return bool(settings.EMAIL_HOST)


def queue_email(
    *,
    organisation: Organisation | None,
    recipient: str,
    subject: str,
    text: str,
    html: str = "",
    purpose: str = "",
    subject_id: int | None = None,
    links: Mapping[str, int] | None = None,
) -> OutboxMessage:
    """Record an e-mail as pending and have a worker deliver it once the transaction commits.

    `links` maps each link marker in the texts (links.marker(kind)) to the id its URL is made from.
    """
    message = email_message(
        organisation=organisation,
        recipient=recipient,
        subject=subject,
        text=text,
        html=html,
        purpose=purpose,
        subject_id=subject_id,
        links=links,
    )
    message.save(force_insert=True)
    _deliver_after_commit(message.pk)
    return message


def queue_sms(
    *,
    organisation: Organisation | None,
    recipient: str,
    text: str,
    purpose: str = "",
    subject_id: int | None = None,
    links: Mapping[str, int] | None = None,
) -> OutboxMessage:
    """Record a text message as pending, for the SMS gateway (links as in queue_email)."""
    message = sms_message(
        organisation=organisation,
        recipient=recipient,
        text=text,
        purpose=purpose,
        subject_id=subject_id,
        links=links,
    )
    message.save(force_insert=True)
    _deliver_after_commit(message.pk)
    return message


def queue_messages(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Record many messages made by email_message or sms_message at once, each delivered as
    queue_email delivers one: one INSERT for all (on SQLite one per Django's batch of parameters)."""
    created = OutboxMessage.objects.bulk_create(messages)
    for message in created:
        _deliver_after_commit(message.pk)
    return created


def email_message(
    *,
    organisation: Organisation | None,
    recipient: str,
    subject: str,
    text: str,
    html: str = "",
    purpose: str = "",
    subject_id: int | None = None,
    links: Mapping[str, int] | None = None,
) -> OutboxMessage:
    """The pending e-mail queue_email records, not saved yet (for queue_messages)."""
    sender, reply_to = sender_for(organisation)
    domain = sender.rsplit("@", 1)[-1] or "cxloop.localhost"
    return OutboxMessage(
        organisation=organisation,
        channel="email",
        sender=sender,
        recipient=recipient,
        reply_to=reply_to,
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=purpose,
        subject_id=subject_id,
        links=dict(links or {}),
        message_id=make_msgid(domain=domain),
    )


def sms_message(
    *,
    organisation: Organisation | None,
    recipient: str,
    text: str,
    purpose: str = "",
    subject_id: int | None = None,
    links: Mapping[str, int] | None = None,
) -> OutboxMessage:
    """The pending text message queue_sms records, not saved yet (for queue_messages)."""
    return OutboxMessage(
        organisation=organisation,
        channel="sms",
        sender=(organisation.name[:11] if organisation else "cxloop"),
        recipient=recipient,
        subject=text[:80],
        body_text=text,
        purpose=purpose,
        subject_id=subject_id,
        links=dict(links or {}),
    )


# Kept for callers that send a one-off notification; it goes through the outbox like the rest.
send_email = queue_email


_batch = threading.local()


# Messages one delivery task takes at most: a task is short, so more urgent ones wait little.
DELIVERY_CHUNK = 100


@contextmanager
def delivered_together() -> Iterator[None]:
    """Messages queued in the block are delivered by one task per DELIVERY_CHUNK, over one SMTP
    connection each, queued when the transaction around the block commits (or at once without one)."""
    if getattr(_batch, "ids", None) is not None:
        yield  # already inside a batch: the outer one delivers these too
        return
    ids: list[int] = []
    _batch.ids = ids
    try:
        yield
    finally:
        _batch.ids = None
        # Also after an error: what was committed before it is delivered (a rolled-back
        # transaction drops this with it).
        for start in range(0, len(ids), DELIVERY_CHUNK):
            chunk = ids[start : start + DELIVERY_CHUNK]
            transaction.on_commit(partial(_enqueue_deliveries, chunk))


def _deliver_after_commit(message_id: int) -> None:
    batched = getattr(_batch, "ids", None)
    if batched is not None:
        batched.append(message_id)
    else:
        transaction.on_commit(lambda: _enqueue_delivery(message_id))


def _enqueue_delivery(message_id: int) -> None:
    from cxloop.messaging.tasks import deliver_message_task

    deliver_message_task.enqueue(message_id)


def _enqueue_deliveries(message_ids: list[int]) -> None:
    from cxloop.messaging.tasks import deliver_messages_task

    deliver_messages_task.enqueue(message_ids)


def claim(message_id: int, *, now: datetime) -> OutboxMessage | None:
    """Take a pending message for delivery; None if another worker has it or it is not due.

    `now` decides what is due; the lease starts at the real time of the claim, since a caller's
    `now` (a sweep's start) may be older than a lease and the claim would be stale at birth."""
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=OutboxMessage.Status.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def deliver_message(*, message_id: int, now: datetime | None = None) -> OutboxMessage | None:
    """Deliver one pending message; safe to call from several workers at once."""
    now = now or timezone.now()
    message = claim(message_id, now=now)
    if message is None:
        return None
    _held.add(message.pk)
    try:
        delivered = _transmit(message)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the message
        return _record_failure(message, error, now=now)
    finally:
        _held.discard(message.pk)
    status = OutboxMessage.Status.SENT if delivered else OutboxMessage.Status.STORED
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, sent_at=timezone.now(), error=""
    )
    message.status = status
    return message


def deliver_messages(*, message_ids: list[int], now: datetime | None = None) -> list[OutboxMessage]:
    """Deliver several pending messages over one SMTP connection; the ones this call handled.

    Each is claimed, sent and recorded on its own as in deliver_message, so a failure of one
    (a bounce, a refused recipient) does not touch the others."""
    now = now or timezone.now()
    with _shared_smtp_connection():
        handled = [deliver_message(message_id=pk, now=now) for pk in message_ids]
    return [message for message in handled if message is not None]


@contextmanager
def _shared_smtp_connection() -> Iterator[None]:
    """_transmit uses one connection for the block, opened at its first message."""
    if not smtp_configured():
        yield
        return
    _batch.connection = get_connection(fail_silently=False)
    try:
        yield
    finally:
        connection, _batch.connection = _batch.connection, None
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.debug("closing the SMTP connection failed", exc_info=True)


def _smtp_connection():
    """The block's shared connection (opened if need be), or one for this message alone."""
    shared = getattr(_batch, "connection", None)
    if shared is None:
        return get_connection(fail_silently=False)
    shared.open()  # does nothing when it is open already
    return shared


@dataclass(frozen=True)
class SentText:
    """A message's subject and bodies: as the recipient gets them, or as the outbox shows them."""

    subject: str
    text: str
    html: str


def as_sent(message: OutboxMessage) -> SentText:
    """Render the message's links into its texts; only the delivery worker (and tests) call this."""
    links = message.links or {}
    made: dict[str, str] = {}  # each link once for the subject and both bodies
    return SentText(
        subject=message_links.render(message.subject, links, made),
        text=message_links.render(message.body_text, links, made),
        html=message_links.render(message.body_html, links, made) if message.body_html else "",
    )


def as_stored(message: OutboxMessage) -> SentText:
    """The message for reading in the outbox: each link as a label such as "[survey link]"."""
    return SentText(
        subject=message_links.display(message.subject),
        text=message_links.display(message.body_text),
        html=message_links.display(message.body_html),
    )


def _transmit(message: OutboxMessage) -> bool:
    """Hand the message to SMTP or the SMS gateway; False when it stays in the outbox only.

    The links are rendered here, in memory, and never written back.
    """
    if message.channel == "sms":
        return sms_gateway().send(
            to=message.recipient, text=as_sent(message).text, sender=message.sender
        )
    if not smtp_configured():
        return False
    sent = as_sent(message)
    email = EmailMultiAlternatives(
        subject=sent.subject,
        body=sent.text,
        from_email=message.sender,
        to=[message.recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"Message-ID": message.message_id} if message.message_id else None,
        connection=_smtp_connection(),
    )
    if sent.html:
        email.attach_alternative(sent.html, "text/html")
    try:
        email.send(fail_silently=False)
    except Exception:
        _drop_shared_connection()  # whatever state the conversation is in, the next starts afresh
        raise
    return True


def _drop_shared_connection() -> None:
    shared = getattr(_batch, "connection", None)
    if shared is not None:
        try:
            shared.close()  # the next _smtp_connection() opens it again
        except (OSError, smtplib.SMTPException):
            logger.debug("closing a broken SMTP connection failed", exc_info=True)


def is_permanent(error: Exception) -> bool:
    """A refusal that retrying cannot fix: a 5xx reply or a refused recipient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, PermanentSendError)


class PermanentSendError(Exception):
    """Raised by an SMS gateway for a number that can never be reached."""


def _record_failure(message: OutboxMessage, error: Exception, *, now: datetime) -> OutboxMessage:
    text = message_links.redact(f"{error.__class__.__name__}: {error}")[:1000]
    if isinstance(error, message_links.LinkError):
        message.status = OutboxMessage.Status.FAILED  # not the address's fault: no bounce
    elif is_permanent(error):
        message.status = OutboxMessage.Status.BOUNCED
    elif message.attempts >= len(BACKOFF_MINUTES) + 1:
        message.status = OutboxMessage.Status.FAILED
    else:
        message.status = OutboxMessage.Status.PENDING
        message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])
    message.error = text
    message.save(update_fields=["status", "next_attempt_at", "error"])
    logger.warning(
        "message %s %s after attempt %s: %s", message.pk, message.status, message.attempts, text
    )
    if message.status == OutboxMessage.Status.PENDING:
        _enqueue_retry(message)
    elif message.purpose in _failure_handlers:
        _failure_handlers[message.purpose](message)
    return message


def _enqueue_retry(message: OutboxMessage) -> None:
    from cxloop.messaging.tasks import deliver_message_task

    if deliver_message_task.get_backend().supports_defer:
        deliver_message_task.using(run_after=message.next_attempt_at).enqueue(message.pk)
    # Without a deferring backend the sweeper picks the retry up when it is due.


def renew_claims(*, now: datetime) -> int:
    """Extend the claims of the messages this process is sending (the worker calls it at every beat)."""
    held = list(_held)
    if not held:
        return 0
    return OutboxMessage.objects.filter(pk__in=held, status=OutboxMessage.Status.SENDING).update(
        claimed_at=now
    )


def release_stale_claims(*, now: datetime, limit: int = 100) -> int:
    """Return messages whose worker died while sending to `pending` and queue them again.

    A claim is stale when nobody renewed it for a lease; each is released by compare-and-set,
    so of several workers recovering at once only one queues it. The lease is judged by the clock:
    a later `now` than the real time must not make a live claim look stale."""
    cutoff = min(now, timezone.now()) - claim_lease()
    stale = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING, claimed_at__lt=cutoff)
    released = [
        pk
        for pk in stale.values_list("pk", flat=True)[:limit]
        if stale.filter(pk=pk).update(status=OutboxMessage.Status.PENDING, next_attempt_at=now)
    ]
    for pk in released:
        logger.warning("message %s: its worker stopped renewing the claim; queued again", pk)
        transaction.on_commit(lambda pk=pk: _enqueue_delivery(pk))
    return len(released)


def due_messages(*, now: datetime, limit: int = 500) -> list[int]:
    """Pending messages whose (next) attempt is due."""
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def sms_gateway():
    """The configured SMS gateway (CXLOOP_SMS_GATEWAY, a dotted path to a class)."""
    return import_string(settings.CXLOOP_SMS_GATEWAY)()
