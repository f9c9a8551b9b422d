"""Writes of the privacy officer: erasing a customer, recording views and exports, retention and
the purge that applies it.

An erasure runs in one transaction: the customer and everything that points at them is deleted,
their submitted scores stay as anonymous rows (so that dashboards, roll-ups and analyses keep their
numbers), places that only mention them (an e-mail body, an admin log line, an audit entry, an
imported event log) are found by their key, contact details and free texts and deleted or
redacted, and a receipt with the counts per table is written — with a keyed hash, never the key.
"""

import logging
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from cxloop.audit.models import AuditEntry
from cxloop.audit.services import (
    REDACTED,
    Actor,
    record_change,
    record_view,
    redact_customer_entries,
    snapshot,
)
from cxloop.coaching.models import CoachingNote
from cxloop.customers.models import Customer, CustomerContact
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.journeys.models import Interaction
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import ApiKey, Chain, Organisation
from cxloop.privacy import markers as marker_lib
from cxloop.privacy.markers import Markers
from cxloop.privacy.models import AnonymousCustomer, ErasureReceipt, PurgeRun, RetentionPolicy
from cxloop.privacy.queries import customer_hash, erasure_plan, retention_for
from cxloop.process.models import EventLog, LogEvent
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question
from cxloop.text.models import AnalysedText
from cxloop.webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)

ERASED_BODY = "[erased: this message named a customer whose data was erased]"
# The daily purge runs at the first sweep after this hour (Europe/Amsterdam).
PURGE_HOUR = 3
FINAL_MESSAGES = (
    OutboxMessage.Status.SENT,
    OutboxMessage.Status.STORED,
    OutboxMessage.Status.FAILED,
    OutboxMessage.Status.BOUNCED,
)
FINAL_DELIVERIES = (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED)


class NotErasable(Exception):
    """The customer is an anonymous stand-in (it holds other people's anonymous scores)."""


# --- views and exports -------------------------------------------------------------------------


def record_customer_access(
    *,
    actor: Actor,
    organisation: Organisation,
    customer: Customer,
    action: str,
    export: bool = False,
) -> AuditEntry:
    """Write to the audit log that someone looked at or exported a customer's data."""
    return record_view(
        actor=actor,
        action=action,
        target=customer,
        organisation=organisation,
        customer_id=customer.pk,
        export=export,
    )


# --- erasure -----------------------------------------------------------------------------------


@transaction.atomic
def erase_customer(
    *, organisation: Organisation, customer: Customer, actor: Actor
) -> ErasureReceipt:
    """Erase a customer from the whole chain and leave a receipt, in one transaction."""
    customer = Customer.objects.select_for_update().select_related("chain").get(pk=customer.pk)
    if AnonymousCustomer.objects.filter(customer=customer).exists():
        raise NotErasable("an anonymous stand-in cannot be erased")
    now = timezone.now()
    plan = erasure_plan(customer=customer)
    deleted, anonymised, redacted = plan.deleted, plan.anonymised, plan.redacted
    # Rows derived from the customer's words and cases go first; the customer last, with
    # everything that cascades from it (journeys, interactions, invitations, decisions).
    for model in (AnalysedText, CoachingNote, CaseEvent, FollowUpCase, OutboxMessage):
        model.objects.filter(pk__in=deleted[model]).delete()
    WebhookDelivery.objects.filter(pk__in=deleted[WebhookDelivery]).delete()
    _blank_messages(redacted[OutboxMessage], plan.markers)
    LogEvent.objects.filter(pk__in=deleted[LogEvent]).delete()
    _recount_event_logs(plan.event_logs)
    _redact_event_logs(redacted[EventLog], plan.markers)
    LogEntry.objects.filter(pk__in=deleted[LogEntry]).delete()
    for table, ids in deleted.items():
        if table._meta.app_label == "django_tasks_db":
            table._default_manager.filter(pk__in=ids).delete()
    stand_in = _stand_in(chain=customer.chain, segment=customer.segment)
    _anonymise_responses(anonymised[Response], stand_in=stand_in)
    Response.objects.filter(pk__in=deleted[Response]).delete()
    customer_id = customer.pk  # delete() clears the instance's pk
    customer.delete()
    redact_customer_entries(customer_id=customer_id)
    _redact_audit_entries(redacted[AuditEntry], now=now)
    return _write_receipt(
        organisation=organisation,
        actor=actor,
        plan_counts=plan.counts(),
        holders=plan.organisations,
        key=plan.customer.key,
        chain=customer.chain,
        now=now,
    )


def _write_receipt(
    *,
    organisation: Organisation,
    actor: Actor,
    plan_counts: dict[str, dict[str, int]],
    holders: list[Organisation],
    key: str,
    chain: Chain,
    now: datetime,
) -> ErasureReceipt:
    """The receipt, and an audit entry for every organisation that held data about the customer."""
    from cxloop.audit.services import _label  # the same label the audit log shows

    receipt = ErasureReceipt.objects.create(
        chain=chain,
        organisation=organisation,
        user=actor if isinstance(actor, User) else None,  # cxloop's users are auth Users
        api_key=actor if isinstance(actor, ApiKey) else None,
        actor_label=_label(actor),
        erased_at=now,
        customer_hash=customer_hash(chain_id=chain.pk, key=key),
        counts=plan_counts,
    )
    receipt.organisations.set(holders)
    for holder in {organisation, *holders}:
        record_change(
            actor=actor,
            action="customer.erased",
            target=receipt,
            organisation=holder,
            after={"receipt": receipt.pk, "requested_by": organisation.slug, "counts": plan_counts},
        )
    return receipt


def _stand_in(*, chain: Chain, segment: str) -> Customer:
    """The chain's anonymous customer for a segment, made on first use."""
    existing = AnonymousCustomer.objects.filter(chain=chain, segment=segment).select_related(
        "customer"
    )
    found = existing.first()
    if found is not None:
        return found.customer
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                chain=chain,
                key=f"anonymous-{secrets.token_hex(16)}",
                segment=segment,
                opted_out_at=timezone.now(),
            )
            AnonymousCustomer.objects.create(chain=chain, segment=segment, customer=customer)
            return customer
    except IntegrityError:  # a parallel erasure made it first
        return existing.get().customer


def local_noon(moment: datetime) -> datetime:
    """Noon of the same local day: the day the roll-ups count, without the exact minute."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(moment.astimezone(zone).date(), time(12), zone)


def _anonymise_responses(ids: list[int], *, stand_in: Customer) -> None:
    """Keep scores and choices, detached from the person: no journey, interaction, invitation, text."""
    responses = list(Response.objects.filter(pk__in=ids))
    for response in responses:
        response.customer = stand_in
        response.invitation = response.interaction = response.journey = None
        response.comment = ""
        response.started_at = local_noon(response.started_at)
        response.submitted_at = local_noon(response.submitted_at) if response.submitted_at else None
    fields = [
        "customer",
        "invitation",
        "interaction",
        "journey",
        "comment",
        "started_at",
        "submitted_at",
    ]
    Response.objects.bulk_update(responses, fields)
    answers = Answer.objects.filter(response_id__in=ids)
    answers.update(interaction=None)
    answers.filter(question__kind=Question.Kind.OPEN).update(text="")


def _blank_messages(ids: list[int], markers: Markers) -> None:
    """Messages to someone else that quoted the customer (a digest, say): the body goes."""
    messages = list(OutboxMessage.objects.filter(pk__in=ids))
    for message in messages:
        message.subject = marker_lib.redact(message.subject, markers)
        message.error = marker_lib.redact(message.error, markers)
        message.body_text, message.body_html = ERASED_BODY, ""
    OutboxMessage.objects.bulk_update(messages, ["subject", "error", "body_text", "body_html"])


def _recount_event_logs(log_ids: Iterable[int]) -> None:
    for log_id in log_ids:
        events = LogEvent.objects.filter(log_id=log_id)
        EventLog.objects.filter(pk=log_id).update(
            events=events.count(), cases=events.values("case_id").distinct().count()
        )


def _redact_event_logs(log_ids: list[int], markers: Markers) -> None:
    """A log's name, error, bad rows and warnings lose what names the customer."""
    for log in EventLog.objects.filter(pk__in=log_ids):
        log.name = marker_lib.redact(log.name, markers)
        log.file_name = marker_lib.redact(log.file_name, markers)
        log.error = marker_lib.redact(log.error, markers)
        log.bad_rows = [row for row in log.bad_rows if not marker_lib.mentions(str(row), markers)]
        log.warnings = [w for w in log.warnings if not marker_lib.mentions(str(w), markers)]
        log.save(update_fields=["name", "file_name", "error", "bad_rows", "warnings"])


def _redact_audit_entries(ids: list[int], *, now: datetime) -> None:
    """Entries that named the customer without pointing at them: redacted like the audit app's own
    `redact_customer_entries` (the one write the append-only log allows, past its guarded queryset)."""
    entries = AuditEntry.objects.filter(pk__in=ids, redacted_at__isnull=True)
    models.QuerySet.update(
        entries,
        object_repr=REDACTED,
        before=None,
        after=None,
        detail="",
        customer_id=None,
        redacted_at=now,
    )


# --- retention ----------------------------------------------------------------------------------


@transaction.atomic
def set_retention(
    *,
    organisation: Organisation,
    actor: Actor,
    contact_months: int,
    free_text_months: int,
    message_body_days: int,
) -> RetentionPolicy:
    """Change an organisation's retention periods; the change is written to the audit log."""
    fields = ["contact_months", "free_text_months", "message_body_days"]
    policy, _ = RetentionPolicy.objects.select_for_update().get_or_create(organisation=organisation)
    before = snapshot(policy, fields)
    policy.contact_months = contact_months
    policy.free_text_months = free_text_months
    policy.message_body_days = message_body_days
    policy.full_clean()
    policy.save()
    record_change(
        actor=actor,
        action="privacy.retention_changed",
        target=policy,
        organisation=organisation,
        before=before,
        after=snapshot(policy, fields),
    )
    return policy


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def daily_purge(*, now: datetime | None = None) -> list[PurgeRun]:
    """The sweeper's step: once a day, after PURGE_HOUR, apply every organisation's retention."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < PURGE_HOUR:
        return []
    done = set(
        PurgeRun.objects.filter(day=local.date(), trigger=PurgeRun.Trigger.DAILY).values_list(
            "organisation_id", flat=True
        )
    )
    organisations: list[Organisation | None] = [*Organisation.objects.order_by("pk"), None]
    runs = []
    for organisation in organisations:
        if (organisation.pk if organisation else None) not in done:
            run = _claimed_run(organisation=organisation, now=now)
            if run is not None:
                runs.append(run)
    return runs


@transaction.atomic
def _claimed_run(*, organisation: Organisation | None, now: datetime) -> PurgeRun | None:
    """Claim today's run (the unique constraint lets one sweeper win) and apply the policy."""
    try:
        with transaction.atomic():
            run = PurgeRun.objects.create(
                organisation=organisation,
                day=timezone.localtime(now).date(),
                trigger=PurgeRun.Trigger.DAILY,
                started_at=now,
            )
    except IntegrityError:
        return None
    run.counts = apply_retention(organisation=organisation, now=now)
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def purge(
    *, organisation: Organisation | None = None, now: datetime | None = None, dry_run: bool = False
) -> list[tuple[Organisation | None, dict[str, int]]]:
    """Apply retention now (by hand): for one organisation or all; a dry run only counts."""
    now = now or timezone.now()
    targets: list[Organisation | None] = (
        [organisation] if organisation else [*Organisation.objects.order_by("pk"), None]
    )
    results = []
    for target in targets:
        if dry_run:
            results.append((target, apply_retention(organisation=target, now=now, dry_run=True)))
            continue
        with transaction.atomic():
            counts = apply_retention(organisation=target, now=now)
            PurgeRun.objects.create(
                organisation=target,
                day=timezone.localtime(now).date(),
                trigger=PurgeRun.Trigger.MANUAL,
                started_at=now,
                finished_at=timezone.now(),
                counts=counts,
            )
        results.append((target, counts))
    return results


def apply_retention(
    *, organisation: Organisation | None, now: datetime, dry_run: bool = False
) -> dict[str, int]:
    """Blank what an organisation's retention says has been kept long enough; returns counts.

    Running it again changes nothing: every step selects only rows that still hold the data.
    Rows of no organisation (an administrator's digest) follow the default periods.
    """
    policy = retention_for(organisation=organisation) if organisation else RetentionPolicy()
    contact_cut = months_before(now, policy.contact_months)
    text_cut = months_before(now, policy.free_text_months)
    body_cut = now - timedelta(days=policy.message_body_days)
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        (
            "message_bodies",
            OutboxMessage.objects.filter(
                organisation=organisation, created_at__lt=body_cut, status__in=FINAL_MESSAGES
            ).filter(~Q(body_text="") | ~Q(body_html="")),
            {"body_text": "", "body_html": ""},
        ),
        (
            "message_recipients",
            OutboxMessage.objects.filter(
                organisation=organisation, created_at__lt=contact_cut, status__in=FINAL_MESSAGES
            ).exclude(recipient=""),
            {"recipient": ""},
        ),
    ]
    if organisation is not None:
        steps += _organisation_steps(organisation, text_cut=text_cut, body_cut=body_cut)
    counts: dict[str, int] = {}
    for name, queryset, values in steps:
        counts[name] = queryset.count() if dry_run else queryset.update(**values)
    if organisation is not None:
        expired = expired_contacts(organisation=organisation, now=now)
        if not dry_run:
            # Locked in id order first, as ingestion and planning lock customers: the UPDATE
            # alone locks them in the order it reads them and could deadlock with a batch.
            locked = Customer.objects.select_for_update().filter(pk__in=expired).order_by("pk")
            list(locked.values_list("pk", flat=True))
            Customer.objects.filter(pk__in=expired).update(
                email="", phone="", email_invalid_at=None, phone_invalid_at=None
            )
            # Every organisation's own details of these customers: all are past their periods.
            CustomerContact.objects.filter(customer_id__in=expired).update(
                email="",
                phone="",
                name="",
                licence_plate="",
                phone_key="",
                plate_key="",
                email_invalid_at=None,
                phone_invalid_at=None,
            )
        counts = {"contact_details": len(expired), **counts}
    return counts


def _organisation_steps(
    organisation: Organisation, *, text_cut: datetime, body_cut: datetime
) -> list[tuple[str, Any, dict[str, Any]]]:
    old_response = Q(submitted_at__lt=text_cut) | Q(
        submitted_at__isnull=True, started_at__lt=text_cut
    )
    responses = Response.objects.filter(old_response, organisation=organisation)
    case_texts = ~Q(action_taken="") | ~Q(customer_message="") | ~Q(resolution="")
    return [
        ("comments", responses.exclude(comment=""), {"comment": ""}),
        (
            "open_answers",
            Answer.objects.filter(
                response__in=responses.values("pk"), question__kind=Question.Kind.OPEN
            ).exclude(text=""),
            {"text": ""},
        ),
        (
            "text_analyses",
            AnalysedText.objects.filter(
                Q(submitted_at__lt=text_cut)
                | Q(submitted_at__isnull=True, analysed_at__lt=text_cut),
                organisation=organisation,
            ).exclude(masked_text=""),
            # The stored vector is derived from the text: it goes with it.
            {"masked_text": "", "pii": [], "clauses": [], "vector": None, "vector_method": ""},
        ),
        (
            "case_notes",
            CaseEvent.objects.filter(case__organisation=organisation, at__lt=text_cut).exclude(
                note=""
            ),
            {"note": ""},
        ),
        (
            "case_texts",
            FollowUpCase.objects.filter(
                case_texts, organisation=organisation, opened_at__lt=text_cut
            ),
            {"action_taken": "", "customer_message": "", "resolution": ""},
        ),
        (
            "webhook_payloads",
            WebhookDelivery.objects.filter(
                endpoint__organisation=organisation,
                created_at__lt=body_cut,
                status__in=FINAL_DELIVERIES,
            ).exclude(payload={}),
            {"payload": {}},
        ),
    ]


def expired_contacts(*, organisation: Organisation, now: datetime) -> list[int]:
    """Customers whose last contact was with this organisation and whose contact details every
    organisation of the chain has kept for as long as its own policy says."""
    policy = retention_for(organisation=organisation)
    latest = Interaction.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at", "-pk")
    candidates = list(
        Customer.objects.filter(chain_id=organisation.chain_id)
        .filter(
            ~Q(email="", phone="")
            | Q(
                pk__in=CustomerContact.objects.exclude(
                    email="", phone="", name="", licence_plate=""
                ).values("customer_id")
            )
        )
        .annotate(
            last_organisation=Subquery(latest.values("organisation_id")[:1]),
            last_at=Subquery(latest.values("occurred_at")[:1]),
        )
        .filter(
            last_organisation=organisation.pk,
            last_at__lt=months_before(now, policy.contact_months),
        )
        .values_list("pk", flat=True)
    )
    cuts = {
        other.pk: months_before(now, retention_for(organisation=other).contact_months)
        for other in Organisation.objects.filter(chain_id=organisation.chain_id)
    }
    expired = []
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        still_needed = {
            row["customer_id"]
            for row in Interaction.objects.filter(customer_id__in=batch)
            .values("customer_id", "organisation_id")
            .annotate(last=Max("occurred_at"))
            if row["last"] >= cuts[row["organisation_id"]]
        }
        expired += [pk for pk in batch if pk not in still_needed]
    return expired
