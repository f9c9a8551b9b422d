"""Sending invitations and reminders, and opening the survey link a customer received."""

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.db import connection, router, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from cxloop.customers.contacts import Details
from cxloop.customers.models import Customer
from cxloop.customers.queries import ContactBook, contact_details
from cxloop.customers.services import mark_address_invalid
from cxloop.journeys.models import Interaction
from cxloop.lib import bulksql
from cxloop.messaging.links import marker
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import (
    delivered_together,
    email_message,
    queue_messages,
    sms_message,
)
from cxloop.responses.models import Response
from cxloop.surveys.models import Invitation, InvitationDecision, UnplannedInteraction

OPT_OUT_SALT = "cxloop.opt-out"


class SurveyLinkError(Exception):
    """A survey link that cannot be answered; `reason` is unknown, expired or used."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plan_invitations_after_commit(
    *, interaction_ids: list[int], retried_ids: Sequence[int] = ()
) -> None:
    """Hand new interactions to the invitation rules once the current transaction commits.

    Call it inside the transaction that records them: each is also put on the sweeper's list
    (UnplannedInteraction), so it is planned even if the task is never queued or dies. Interactions
    of a retried request that still have no decision are handed over again (the first attempt's
    task may have been lost with the connection that failed the request).
    """
    from cxloop.surveys.tasks import id_runs, plan_invitations_task

    undecided = (
        Interaction.objects.filter(pk__in=retried_ids)
        .exclude(Exists(InvitationDecision.objects.filter(interaction=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    retried = list(undecided) if retried_ids else []
    ids = [*interaction_ids, *retried]
    if not ids:
        return
    now = timezone.now()
    _put_on_planning_list(interaction_ids, now, maybe_listed=False)  # new ids: not listed yet
    _put_on_planning_list(retried, now, maybe_listed=True)
    # One task per recorded batch, so planning keeps pace with ingestion batch by batch.
    if _queue_commits_with_this_transaction(plan_invitations_task.get_backend()):
        # The task's row commits with the interactions, in the one durable commit of the batch
        # (after it, in autocommit, it was a second commit: a disk flush each batch).
        plan_invitations_task.enqueue(id_runs=id_runs(ids))
    else:
        # A queue elsewhere (Redis, another database) must not hand out the task before the
        # interactions are visible.
        transaction.on_commit(lambda: plan_invitations_task.enqueue(id_runs=id_runs(ids)))


def _queue_commits_with_this_transaction(backend: object) -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(backend, DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == transaction.get_connection().alias
    )


def _put_on_planning_list(ids: list[int], now: datetime, *, maybe_listed: bool) -> None:
    """UnplannedInteraction rows for the ids; on PostgreSQL one statement with one array
    parameter, since this runs inside every ingestion request. Only ids that may be listed
    already pay for `ON CONFLICT` (a speculative insertion per row)."""
    if not ids:
        return
    if connection.vendor != "postgresql":
        UnplannedInteraction.objects.bulk_create(
            [UnplannedInteraction(interaction_id=pk, recorded_at=now) for pk in ids],
            ignore_conflicts=maybe_listed,
        )
        return
    with bulksql.batch_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {UnplannedInteraction._meta.db_table} (interaction_id, recorded_at)"
            " SELECT unnest(%s::bigint[]), %s"
            + (" ON CONFLICT DO NOTHING" if maybe_listed else ""),
            [bulksql.int_array(ids), now],
        )


def link_token(invitation: Invitation) -> str:
    """The invitation's link token: a keyed hash, unguessable without the secret key, the same in a reminder."""
    return salted_hmac(
        "cxloop.survey-link",
        f"{invitation.pk}:{invitation.created_at.isoformat()}",
        algorithm="sha256",
    ).hexdigest()[:43]


def survey_url(token: str) -> str:
    return settings.BASE_URL + reverse("survey", kwargs={"token": token})


def opt_out_url(customer: Customer) -> str:
    return opt_out_url_for(customer.pk)


def opt_out_url_for(customer_id: int) -> str:
    token = signing.dumps(customer_id, salt=OPT_OUT_SALT, compress=True)
    return settings.BASE_URL + reverse("opt_out", kwargs={"token": token})


def survey_link_for(invitation_id: int) -> str | None:
    """The full survey link of an invitation, made when its message is sent (never stored)."""
    invitation = Invitation.objects.filter(pk=invitation_id).only("pk", "created_at").first()
    return survey_url(link_token(invitation)) if invitation else None


def opt_out_link_for(customer_id: int) -> str | None:
    """The opt-out link of a customer, made when a message is sent (never stored)."""
    return (
        opt_out_url_for(customer_id) if Customer.objects.filter(pk=customer_id).exists() else None
    )


def invitation_contact(invitation: Invitation) -> Details:
    """The contact details the inviting organisation may use (customers/contacts.py has the rule)."""
    return contact_details(
        customer=invitation.customer,
        organisation_id=invitation.organisation_id,
        owner_id=invitation.journey.journey_type.owner_id,
    )


def invitation_contacts(invitations: Sequence[Invitation]) -> dict[int, Details]:
    """invitation_contact of each invitation by id, read in two queries for all of them."""
    book = ContactBook(invitation.customer for invitation in invitations)
    return {
        invitation.pk: book.details(
            invitation.customer,
            organisation_id=invitation.organisation_id,
            owner_id=invitation.journey.journey_type.owner_id,
        )
        for invitation in invitations
    }


def customer_from_opt_out_token(token: str) -> Customer | None:
    """The customer an opt-out link was made for, or None for a forged or broken link."""
    try:
        customer_id = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    return Customer.objects.filter(pk=customer_id).first()


def send_invitation(*, invitation_id: int, now: datetime | None = None) -> Invitation:
    """Queue the invitation's message when it is due; a second run sends nothing."""
    with transaction.atomic():
        return _send_due(invitation_ids=[invitation_id], now=now or timezone.now())[0]


def send_invitations(*, invitation_ids: Sequence[int], now: datetime | None = None) -> int:
    """Send each due invitation of a planned batch as send_invitation does; how many were sent.

    One transaction for the batch and one delivery task for its messages, instead of one of each
    per invitation; the same few queries for any number of invitations."""
    with transaction.atomic(), delivered_together():
        invitations = _send_due(invitation_ids=invitation_ids, now=now or timezone.now())
    return sum(invitation.status == Invitation.Status.SENT for invitation in invitations)


def _send_due(*, invitation_ids: Sequence[int], now: datetime) -> list[Invitation]:
    """send_invitation for each id in turn, in a fixed number of queries; the invitation of each id.

    Call it in a transaction. All rows are locked first, in id order, so two workers with
    overlapping batches cannot deadlock and never both send one; invitations not scheduled or not
    due yet are left as they are."""
    locked = _lock_invitations(invitation_ids)
    due = [
        invitation
        for invitation in (locked[pk] for pk in dict.fromkeys(invitation_ids))
        if invitation.status == Invitation.Status.SCHEDULED and invitation.send_after <= now
    ]
    contacts = invitation_contacts(due)
    sent: list[Invitation] = []
    messages: list[OutboxMessage] = []
    for invitation in due:
        contact = contacts[invitation.pk]
        stopped = _why_not_send(invitation, contact, now)
        if stopped:
            invitation.status, invitation.error = stopped
            continue
        _mark_sent(invitation, now)
        sent.append(invitation)
        messages.append(_message(invitation, contact, purpose="invitation"))
    Invitation.objects.bulk_update(due, _SENDING_FIELDS)
    queue_messages(messages)
    reminders = [
        (invitation.reminder_due_at, invitation.pk)
        for invitation in sent
        if invitation.reminder_due_at and invitation.reminder_due_at < invitation.expires_at
    ]
    if reminders:
        transaction.on_commit(partial(_enqueue_reminders, reminders))
    return [locked[pk] for pk in invitation_ids]


# What sending writes to an invitation, sent or stopped (the others keep the values read under lock).
_SENDING_FIELDS = ["token_hash", "status", "sent_at", "reminder_due_at", "error"]


def _lock_invitations(invitation_ids: Sequence[int]) -> dict[int, Invitation]:
    """The invitations by id, locked in id order; Invitation.DoesNotExist if one is gone."""
    locked = {
        invitation.pk: invitation
        for invitation in Invitation.objects.select_for_update(of=("self",))
        .select_related("customer", "organisation", "rule", "journey__journey_type")
        .filter(pk__in=set(invitation_ids))
        .order_by("pk")
    }
    missing = sorted(set(invitation_ids) - set(locked))
    if missing:
        raise Invitation.DoesNotExist(f"no invitation with id {missing[0]}")
    return locked


def _mark_sent(invitation: Invitation, now: datetime) -> None:
    """The link's token hash, the send time and, when the rule reminds, the reminder's due time."""
    invitation.token_hash = hash_token(link_token(invitation))
    invitation.status = Invitation.Status.SENT
    invitation.sent_at = now
    reminder_days = invitation.rule.reminder_after_days if invitation.rule else None
    if reminder_days:
        invitation.reminder_due_at = now + timedelta(days=reminder_days)


def _why_not_send(
    invitation: Invitation, contact: Details, now: datetime
) -> tuple[str, str] | None:
    """Re-check at send time what may have changed since the decision: opt-out, expiry, address.

    The status and error that stop the invitation, or None when it may be sent."""
    if invitation.customer.opted_out_at is not None:
        return Invitation.Status.CANCELLED, "the customer opted out"
    if invitation.expires_at <= now:
        return Invitation.Status.EXPIRED, ""
    if invitation.channel == "email" and not contact.has_email:
        return Invitation.Status.FAILED, "no valid e-mail address"
    if invitation.channel == "sms" and not contact.has_phone:
        return Invitation.Status.FAILED, "no valid phone number"
    return None


def _enqueue_reminders(reminders: list[tuple[datetime, int]]) -> None:
    """One reminder task per minute of due times, not per invitation (each invitation's reminder
    falls due days after its own sending moment)."""
    from cxloop.surveys.planning import enqueue_by_minute
    from cxloop.surveys.tasks import send_reminders_task

    if not send_reminders_task.get_backend().supports_defer:
        # Only those due now; the sweeper sends the others when they are due.
        now = timezone.now()
        reminders = [(due, pk) for due, pk in reminders if due <= now]
    enqueue_by_minute(send_reminders_task, reminders)


def _queue_message(invitation: Invitation, contact: Details, *, purpose: str) -> OutboxMessage:
    """Queue the invitation or reminder to the details the inviting organisation may use."""
    return queue_messages([_message(invitation, contact, purpose=purpose)])[0]


def _message(invitation: Invitation, contact: Details, *, purpose: str) -> OutboxMessage:
    """The invitation or reminder, in the recipient's language, not saved yet.

    The stored message holds link markers, not links: the survey link (and its one-tap scores) and
    the opt-out link are made from the ids in `links` only when the message is sent.
    """
    organisation = invitation.organisation
    url = marker("survey")
    context = {
        "organisation": organisation,
        "url": url,
        "score_urls": [(score, f"{url}?nps={score}") for score in range(11)],
        "expires_at": invitation.expires_at,
        "opt_out_url": marker("opt_out"),
        "reminder": purpose == "reminder",
    }
    links = {"survey": invitation.pk, "opt_out": invitation.customer_id}
    with translation.override(contact.language):
        if invitation.channel == "sms":
            text = render_to_string("surveys/sms/invitation.txt", context).strip()
            return sms_message(
                organisation=organisation,
                recipient=contact.phone,
                text=text,
                purpose=purpose,
                subject_id=invitation.pk,
                links=links,
            )
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        text = render_to_string("surveys/email/invitation.txt", context)
        html = render_to_string("surveys/email/invitation.html", context)
    return email_message(
        organisation=organisation,
        recipient=contact.email,
        subject=subject,
        text=text,
        html=html,
        purpose=purpose,
        subject_id=invitation.pk,
        links=links,
    )


def send_reminder(*, invitation_id: int, now: datetime | None = None) -> Invitation:
    """Remind a customer who has not answered yet, once, with the same link."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("customer", "organisation", "journey__journey_type")
            .get(pk=invitation_id)
        )
        unanswered = invitation.status in (Invitation.Status.SENT, Invitation.Status.OPENED)
        if (
            not unanswered
            or invitation.reminded_at
            or not invitation.reminder_due_at
            or invitation.reminder_due_at > now
        ):
            return invitation
        if invitation.customer.opted_out_at or invitation.expires_at <= now:
            return invitation
        if Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists():
            return invitation  # a score tapped in the e-mail counts: the customer has answered
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        contact = invitation_contact(invitation)
        reachable = contact.has_phone if invitation.channel == "sms" else contact.has_email
        if reachable:  # the address may have bounced or gone since the invitation
            _queue_message(invitation, contact, purpose="reminder")
    return invitation


def handle_failed_message(message: OutboxMessage) -> None:
    """A bounced invitation marks the address invalid; the rule's fallback channel is tried once."""
    invitation = (
        Invitation.objects.select_related(
            "customer", "organisation", "rule", "journey__journey_type"
        )
        .filter(pk=message.subject_id)
        .first()
    )
    if invitation is None:
        return
    if message.status == OutboxMessage.Status.BOUNCED:
        # The address that bounced is invalid wherever it is kept; other addresses stay usable.
        mark_address_invalid(
            customer_id=invitation.customer_id, channel=message.channel, address=message.recipient
        )
    contact = invitation_contact(invitation)
    fallback = invitation.rule.fallback_channel if invitation.rule else ""
    reachable = (fallback == "sms" and contact.has_phone) or (
        fallback == "email" and contact.has_email
    )
    if message.purpose == "invitation" and fallback and fallback != message.channel and reachable:
        with transaction.atomic():
            Invitation.objects.filter(pk=invitation.pk).update(
                channel=fallback, error=message.error[:500]
            )
            invitation.channel = fallback
            _queue_message(invitation, contact, purpose="invitation")
        return
    if message.purpose == "invitation":
        Invitation.objects.filter(
            pk=invitation.pk, status__in=[Invitation.Status.SENT, Invitation.Status.OPENED]
        ).update(status=Invitation.Status.FAILED, error=message.error[:500])


def open_survey_link(*, token: str, mark_opened: bool = True) -> Invitation:
    """The invitation behind a link, or SurveyLinkError saying why it cannot be answered.

    `mark_opened=False` for a request that only looks (HEAD): the invitation stays as it is.
    """
    invitation = (
        Invitation.objects.select_related(
            "survey", "customer", "organisation", "interaction", "journey__journey_type"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise SurveyLinkError("unknown")
    if invitation.status == Invitation.Status.ANSWERED:
        raise SurveyLinkError("used", invitation)
    if (
        invitation.status in (Invitation.Status.EXPIRED, Invitation.Status.CANCELLED)
        or invitation.expires_at <= timezone.now()
    ):
        raise SurveyLinkError("expired", invitation)
    if mark_opened and invitation.status == Invitation.Status.SENT:
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
            status=Invitation.Status.OPENED
        )
    return invitation
