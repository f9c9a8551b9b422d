"""Reads for the privacy officer: who may act, which customers an organisation holds, what an
export holds and what an erasure would remove.

The rule (docs/privacy.md): an organisation acts on a customer it holds data about — its own
contacts, decisions and responses, and everything in the journeys whose journey type it owns
(the journey owner is the controller of the whole journey). An export gives the organisation's
share of that; an erasure removes the customer from the whole chain, because the chain shares
one customer record and the request of the data subject is not limited to one partner.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace
from django.http import Http404
from django.utils.crypto import salted_hmac

from cxloop.audit.models import AuditEntry
from cxloop.coaching.models import CoachingNote
from cxloop.customers.models import Customer, CustomerContact
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.journeys.models import Interaction, Journey
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.capabilities import Capability, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.privacy import markers as marker_lib
from cxloop.privacy.markers import Markers
from cxloop.privacy.models import (
    AnonymousCustomer,
    ErasureReceipt,
    PurgeRun,
    RetentionPolicy,
)
from cxloop.process.models import EventLog, LogEvent
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Invitation, InvitationDecision, Question
from cxloop.text.models import AnalysedText
from cxloop.webhooks.models import WebhookDelivery

SEARCH_LIMIT = 20
HASH_SALT = "cxloop.privacy.erasure-receipt"

# What each outbox purpose is about: messages with these purposes point at the row by subject_id.
ABOUT_INVITATION = ("invitation", "reminder")
ABOUT_CASE = ("case_assigned", "case_reminder", "case_escalated", "customer_informed")
ABOUT_RESPONSE = ("compliment",)
TO_CUSTOMER = (*ABOUT_INVITATION, "customer_informed")
# Case events name the employees involved; those names are not the customer's data.
STAFF_KEYS = {"employee_id", "name", "from_employee_id", "to_employee_id", "to_name", "to"}


# --- who may act -----------------------------------------------------------------------------


def privacy_organisations(user: AbstractBaseUser | AnonymousUser) -> list[Organisation]:
    """The organisations a user answers for as their privacy officer or organisation admin."""
    if not user.is_authenticated:
        return []
    return list(organisations_where(user, Capability.MANAGE_PRIVACY).order_by("name"))


def access_privacy(user: AbstractBaseUser | AnonymousUser, slug: str) -> Organisation:
    """The organisation if the user is its privacy officer or admin, else 404."""
    for organisation in privacy_organisations(user):
        if organisation.slug == slug:
            return organisation
    raise Http404


# --- which customers an organisation holds ---------------------------------------------------


def _own_or_owned(organisation: Organisation) -> Q:
    """Rows an organisation holds: its own, and those in journeys of a journey type it owns."""
    return Q(organisation=organisation) | Q(journey__journey_type__owner=organisation)


def _responses_held(organisation: Organisation) -> Q:
    return (
        Q(organisation=organisation)
        | Q(survey__organisation=organisation)
        | Q(journey_type__owner=organisation)
    )


def stand_in_ids() -> QuerySet:
    return AnonymousCustomer.objects.values("customer_id")


def customers_of(organisation: Organisation) -> QuerySet[Customer]:
    """The real customers of the chain that the organisation holds data about."""
    ref = OuterRef("pk")
    held = (
        Exists(Interaction.objects.filter(_own_or_owned(organisation), customer=ref))
        | Exists(InvitationDecision.objects.filter(_own_or_owned(organisation), customer=ref))
        | Exists(Response.objects.filter(_responses_held(organisation), customer=ref))
        # Contact details the organisation supplied (the API's customers_upsert, imports).
        | Exists(CustomerContact.objects.filter(organisation=organisation, customer=ref))
    )
    return (
        Customer.objects.filter(chain_id=organisation.chain_id)
        .exclude(pk__in=stand_in_ids())
        .filter(held)
    )


def _digits(expression: Any) -> Any:
    for character in (" ", "-", ".", "(", ")", "/"):
        expression = Replace(expression, Value(character), Value(""))
    return expression


def find_customers(*, organisation: Organisation, query: str) -> list[Customer]:
    """Customers the organisation holds whose key, e-mail address or phone number is exactly `query`."""
    query = query.strip()
    if not query:
        return []
    condition = Q(key=query)
    contacts = CustomerContact.objects.none()
    if "@" in query:
        condition |= Q(email__iexact=query)
        contacts = CustomerContact.objects.filter(email__iexact=query)
    phones = {re.sub(r"[^\d+]", "", v) for v in marker_lib.phone_variants(query)}
    if phones:
        condition |= Q(phone_digits__in=phones)
        contacts = contacts | CustomerContact.objects.annotate(
            phone_digits=_digits("phone")
        ).filter(phone_digits__in=phones)
    # Details live on the customer (unattributed) and per supplying organisation.
    condition |= Q(pk__in=contacts.values("customer_id"))
    return list(
        customers_of(organisation)
        .annotate(phone_digits=_digits("phone"))
        .filter(condition)
        .order_by("key")[:SEARCH_LIMIT]
    )


def customer_for(*, organisation: Organisation, key: str) -> Customer | None:
    """The customer with this key, if the organisation holds data about them."""
    if not key or "\x00" in key:  # PostgreSQL refuses NUL in text: no such customer
        return None
    return customers_of(organisation).filter(key=key).first()


def access_customer(*, organisation: Organisation, pk: int) -> Customer:
    """The customer if the organisation holds data about them, else 404."""
    customer = customers_of(organisation).filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def customer_id_in_chain(*, organisation: Organisation, key: str) -> int:
    """The id of the chain's customer with this key, for the audit log's filter; -1 for none."""
    customer = Customer.objects.filter(chain_id=organisation.chain_id, key=key.strip()).first()
    return customer.pk if customer else -1


def customer_hash(*, chain_id: int, key: str) -> str:
    """The keyed hash a receipt keeps instead of the customer key."""
    return salted_hmac(HASH_SALT, f"{chain_id}:{key}", algorithm="sha256").hexdigest()


def receipts_for_key(*, organisation: Organisation, key: str) -> list[ErasureReceipt]:
    """Receipts of erasures of this key in the organisation's chain (the answer to "was K erased?")."""
    digest = customer_hash(chain_id=organisation.chain_id, key=key.strip())
    return list(receipts_for(organisation=organisation).filter(customer_hash=digest))


# --- what an export holds ----------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def customer_export(*, organisation: Organisation, customer: Customer) -> dict[str, Any]:
    """Everything the organisation holds about a customer, as plain JSON values."""
    interactions = list(
        Interaction.objects.filter(_own_or_owned(organisation), customer=customer)
        .select_related("organisation", "journey", "channel", "touchpoint", "unit")
        .order_by("occurred_at", "pk")
    )
    journey_ids = {i.journey_id for i in interactions}
    journeys = Journey.objects.filter(
        Q(pk__in=journey_ids) | Q(journey_type__owner=organisation), customer=customer
    ).select_related("journey_type")
    decisions = (
        InvitationDecision.objects.filter(_own_or_owned(organisation), customer=customer)
        .select_related("organisation", "journey", "interaction")
        .order_by("decided_at", "pk")
    )
    invitations = list(
        Invitation.objects.filter(_own_or_owned(organisation), customer=customer)
        .select_related("organisation", "survey", "journey")
        .order_by("created_at", "pk")
    )
    responses = list(
        Response.objects.filter(_responses_held(organisation), customer=customer)
        .select_related("organisation", "survey", "journey", "unit", "channel", "touchpoint")
        .prefetch_related("answers__question", "answers__chosen_touchpoint")
        .distinct()
        .order_by("started_at", "pk")
    )
    response_ids = [r.pk for r in responses]
    cases = list(
        FollowUpCase.objects.filter(Q(organisation=organisation) | Q(response_id__in=response_ids))
        .filter(response__customer=customer)
        .select_related("organisation", "unit", "root_cause")
        .prefetch_related("events")
        .order_by("opened_at", "pk")
    )
    # Messages to the customer; the staff's own notifications about the case are not theirs.
    messages = (
        linked_messages(
            customer=customer,
            invitation_ids=[i.pk for i in invitations],
            case_ids=[c.pk for c in cases],
            response_ids=response_ids,
        )
        .filter(organisation=organisation)
        .filter(Q(purpose__in=TO_CUSTOMER) | Q(purpose=""))
    )
    texts = (
        AnalysedText.objects.filter(response_id__in=response_ids)
        .prefetch_related("tags__topic")
        .order_by("pk")
    )
    markers = customer_markers(customer=customer, texts=[])
    deliveries = mentioning(
        WebhookDelivery.objects.filter(endpoint__organisation=organisation),
        json_fields=("payload",),
        markers=Markers(text=(), json=markers.json),
    ).order_by("created_at", "pk")
    events = log_events_about(
        organisations=[organisation],
        case_ids=[customer.key, *(j.external_id for j in journeys)],
        markers=markers,
    ).select_related("log")
    accesses = AuditEntry.objects.filter(organisation=organisation, customer_id=customer.pk)
    return {
        "format": "cxloop-customer-export/1",
        "organisation": organisation.slug,
        "chain": customer.chain.slug,
        "customer": _customer(customer, organisation),
        "journeys": [_journey(j) for j in journeys],
        "interactions": [_interaction(i) for i in interactions],
        "invitation_decisions": [_decision(d) for d in decisions],
        "invitations": [_invitation(i) for i in invitations],
        "responses": [_response(r) for r in responses],
        "followup_cases": [_case(c) for c in cases],
        "messages": [_message(m) for m in messages.order_by("created_at", "pk")],
        "webhook_deliveries": [_delivery(d) for d in deliveries],
        "text_analyses": [_analysis(t) for t in texts],
        "event_log_events": [_log_event(e) for e in events.order_by("log_id", "position")],
        "access_log": [
            {"at": _iso(a.at), "kind": a.kind, "action": a.action} for a in accesses.order_by("at")
        ],
    }


def _customer(customer: Customer, organisation: Organisation) -> dict[str, Any]:
    # The organisation's own share: the details it supplied, else the unattributed ones.
    own = CustomerContact.objects.filter(customer=customer, organisation=organisation).first()
    return {
        "key": customer.key,
        "email": (own.email if own else "") or customer.email,
        "phone": (own.phone if own else "") or customer.phone,
        "name": own.name if own else "",
        "licence_plate": own.licence_plate if own else "",
        "language": customer.language,
        "segment": customer.segment,
        "opted_out_at": _iso(customer.opted_out_at),
        "email_invalid_at": _iso(customer.email_invalid_at),
        "phone_invalid_at": _iso(customer.phone_invalid_at),
        "created_at": _iso(customer.created_at),
    }


def _journey(journey: Journey) -> dict[str, Any]:
    return {
        "external_id": journey.external_id,
        "journey_type": journey.journey_type.slug,
        "started_at": _iso(journey.started_at),
        "ended_at": _iso(journey.ended_at),
    }


def _interaction(interaction: Interaction) -> dict[str, Any]:
    # Employees are other people: the unit says where the contact was, not who handled it.
    return {
        "organisation": interaction.organisation.slug,
        "external_id": interaction.external_id,
        "journey": interaction.journey.external_id,
        "occurred_at": _iso(interaction.occurred_at),
        "channel": interaction.channel.name,
        "touchpoint": interaction.touchpoint.name if interaction.touchpoint else None,
        "unit": interaction.unit.name if interaction.unit else None,
        "wait_seconds": interaction.wait_seconds,
    }


def _decision(decision: InvitationDecision) -> dict[str, Any]:
    return {
        "organisation": decision.organisation.slug,
        "journey": decision.journey.external_id if decision.journey else None,
        "interaction": decision.interaction.external_id if decision.interaction else None,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "reason_text": str(decision.get_reason_display()),
        "detail": decision.detail,
        "decided_at": _iso(decision.decided_at),
    }


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "organisation": invitation.organisation.slug,
        "survey": invitation.survey.name,
        "journey": invitation.journey.external_id,
        "channel": invitation.channel,
        "status": invitation.status,
        "send_after": _iso(invitation.send_after),
        "sent_at": _iso(invitation.sent_at),
        "reminded_at": _iso(invitation.reminded_at),
        "answered_at": _iso(invitation.answered_at),
        "expires_at": _iso(invitation.expires_at),
        "error": invitation.error,
    }


def _response(response: Response) -> dict[str, Any]:
    return {
        "organisation": response.organisation.slug,
        "survey": response.survey.name,
        "journey": response.journey.external_id if response.journey else None,
        "unit": response.unit.name if response.unit else None,
        "channel": response.channel.name if response.channel else None,
        "touchpoint": response.touchpoint.name if response.touchpoint else None,
        "language": response.language,
        "nps": response.nps,
        "csat": response.csat,
        "ces": response.ces,
        "comment": response.comment,
        "started_at": _iso(response.started_at),
        "submitted_at": _iso(response.submitted_at),
        "answers": [
            {
                "question": answer.question.text(response.language),
                "kind": answer.question.kind,
                "number": answer.number,
                "text": answer.text,
                "values": answer.values,
                "moment": answer.chosen_touchpoint.name if answer.chosen_touchpoint else None,
            }
            for answer in response.answers.all()
        ],
    }


def _case(case: FollowUpCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "organisation": case.organisation.slug,
        "unit": case.unit.name if case.unit else None,
        "status": case.status,
        "priority": case.priority,
        "reason": case.reason,
        "opened_at": _iso(case.opened_at),
        "due_at": _iso(case.due_at),
        "first_contact_at": _iso(case.first_contact_at),
        "resolved_at": _iso(case.resolved_at),
        "root_cause": case.root_cause.name if case.root_cause else None,
        "action_taken": case.action_taken,
        "customer_message": case.customer_message,
        "informed_at": _iso(case.informed_at),
        "closed_at": _iso(case.closed_at),
        "resolution": case.resolution,
        "events": [
            {
                "kind": e.kind,
                "at": _iso(e.at),
                "note": e.note,
                "data": {k: v for k, v in e.data.items() if k not in STAFF_KEYS},
            }
            for e in case.events.all()
        ],
    }


def _message(message: OutboxMessage) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body_text,
        "purpose": message.purpose,
        "status": message.status,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "event": delivery.event,
        "payload": delivery.payload,
        "status": delivery.status,
        "created_at": _iso(delivery.created_at),
        "delivered_at": _iso(delivery.delivered_at),
    }


def _analysis(text: AnalysedText) -> dict[str, Any]:
    return {
        "language": text.language,
        "masked_text": text.masked_text,
        "sentiment": text.sentiment,
        "score": text.score,
        "topics": sorted(t.topic.name for t in text.tags.all() if not t.rejected),
        "analysed_at": _iso(text.analysed_at),
    }


def _log_event(event: LogEvent) -> dict[str, Any]:
    return {
        "log": event.log.name,
        "case_id": event.case_id,
        "activity": event.activity,
        "timestamp": _iso(event.timestamp),
    }


# --- finding a customer where nothing points at them ---------------------------------------


def customer_texts(*, customer: Customer) -> list[str]:
    """The free text written by or about the customer: comments, open answers, case notes, messages."""
    texts: list[str] = []
    responses = Response.objects.filter(customer=customer)
    texts += responses.exclude(comment="").values_list("comment", flat=True)
    texts += (
        Answer.objects.filter(response__in=responses, question__kind=Question.Kind.OPEN)
        .exclude(text="")
        .values_list("text", flat=True)
    )
    cases = FollowUpCase.objects.filter(response__in=responses)
    texts += (
        CaseEvent.objects.filter(case__in=cases).exclude(note="").values_list("note", flat=True)
    )
    for row in cases.values_list("action_taken", "customer_message", "resolution"):
        texts += [value for value in row if value]
    return texts


def customer_markers(*, customer: Customer, texts: list[str] | None = None) -> Markers:
    """What identifies the customer in text: key, e-mail, phone and (by default) their free texts."""
    emails, phones = _all_addresses(customer)
    return marker_lib.build(
        key=customer.key,
        emails=emails,
        phones=phones,
        texts=customer_texts(customer=customer) if texts is None else texts,
    )


def _all_addresses(customer: Customer) -> tuple[list[str], list[str]]:
    """Every e-mail address and phone number the chain holds for the customer."""
    rows = list(CustomerContact.objects.filter(customer=customer).values_list("email", "phone"))
    emails = [e for e in [customer.email, *(r[0] for r in rows)] if e]
    phones = [p for p in [customer.phone, *(r[1] for r in rows)] if p]
    return emails, phones


def mentioning(
    queryset: QuerySet,
    *,
    text_fields: tuple[str, ...] = (),
    json_fields: tuple[str, ...] = (),
    markers: Markers,
) -> QuerySet:
    """The rows whose text (or JSON, as text) contains any marker, case-insensitively."""
    condition = Q()
    for name in text_fields:
        for marker in markers.text:
            condition |= Q(**{f"{name}__icontains": marker})
    annotations = {f"privacy_{name}": Cast(name, TextField()) for name in json_fields}
    for name in json_fields:
        for marker in markers.json:
            condition |= Q(**{f"privacy_{name}__icontains": marker})
    if not condition:
        return queryset.none()
    return queryset.annotate(**annotations).filter(condition)


def linked_messages(
    *, customer: Customer, invitation_ids: list[int], case_ids: list[int], response_ids: list[int]
) -> QuerySet[OutboxMessage]:
    """Outbox messages to the customer or about their invitations, cases and responses."""
    condition = (
        Q(purpose__in=ABOUT_INVITATION, subject_id__in=invitation_ids)
        | Q(purpose__in=ABOUT_CASE, subject_id__in=case_ids)
        | Q(purpose__in=ABOUT_RESPONSE, subject_id__in=response_ids)
    )
    emails, phone_numbers = _all_addresses(customer)
    for email in emails:
        condition |= Q(recipient__iexact=email)
    phones = set().union(*(marker_lib.phone_variants(p) for p in phone_numbers))
    if phones:
        condition |= Q(recipient__in=phones)
    return OutboxMessage.objects.filter(condition)


def log_events_about(
    *, organisations: list[Organisation], case_ids: list[str], markers: Markers
) -> QuerySet[LogEvent]:
    """Events of imported logs whose case is the customer or one of their journeys, or that name them."""
    events = LogEvent.objects.filter(log__organisation__in=organisations)
    named = mentioning(
        events, text_fields=("case_id", "activity", "resource", "organisation"), markers=markers
    )
    return events.filter(Q(case_id__in=case_ids) | Q(pk__in=named.values("pk")))


# --- what an erasure removes -------------------------------------------------------------------


@dataclass
class ErasurePlan:
    """The rows an erasure deletes, anonymises or redacts, found before anything is changed."""

    customer: Customer
    markers: Markers
    organisations: list[Organisation]
    deleted: dict[type[models.Model], list[Any]] = field(default_factory=dict)
    anonymised: dict[type[models.Model], list[Any]] = field(default_factory=dict)
    redacted: dict[type[models.Model], list[Any]] = field(default_factory=dict)
    event_logs: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per table and what happens to them; the receipt keeps exactly this."""

        def per_table(group: dict[type[models.Model], list[Any]]) -> dict[str, int]:
            return {m._meta.db_table: len(ids) for m, ids in group.items() if ids}

        return {
            "deleted": per_table(self.deleted),
            "anonymised": per_table(self.anonymised),
            "redacted": per_table(self.redacted),
        }


def _ids(queryset: QuerySet) -> list[Any]:
    return list(queryset.values_list("pk", flat=True).distinct())


def erasure_plan(*, customer: Customer) -> ErasurePlan:
    """Everything an erasure of this customer touches, in the whole chain."""
    chain_orgs = list(Organisation.objects.filter(chain_id=customer.chain_id))
    markers = customer_markers(customer=customer)
    plan = ErasurePlan(customer=customer, markers=markers, organisations=[])
    d, a, r = plan.deleted, plan.anonymised, plan.redacted
    responses = Response.objects.filter(customer=customer)
    d[Customer] = [customer.pk]
    d[Journey] = _ids(Journey.objects.filter(customer=customer))
    d[Interaction] = _ids(Interaction.objects.filter(customer=customer))
    d[InvitationDecision] = _ids(InvitationDecision.objects.filter(customer=customer))
    d[Invitation] = _ids(Invitation.objects.filter(customer=customer))
    # Unfinished responses never reached a statistic: they go. Submitted ones stay, anonymous.
    d[Response] = _ids(responses.filter(submitted_at__isnull=True))
    a[Response] = _ids(responses.filter(submitted_at__isnull=False))
    d[Answer] = _ids(Answer.objects.filter(response_id__in=d[Response]))
    a[Answer] = _ids(Answer.objects.filter(response_id__in=a[Response]))
    d[FollowUpCase] = _ids(FollowUpCase.objects.filter(response__customer=customer))
    d[CaseEvent] = _ids(CaseEvent.objects.filter(case_id__in=d[FollowUpCase]))
    d[AnalysedText] = _ids(AnalysedText.objects.filter(response__customer=customer))
    d[CoachingNote] = _ids(CoachingNote.objects.filter(response__customer=customer))
    linked = linked_messages(
        customer=customer,
        invitation_ids=d[Invitation],
        case_ids=d[FollowUpCase],
        response_ids=a[Response] + d[Response],
    )
    d[OutboxMessage] = _ids(linked)
    r[OutboxMessage] = _ids(
        mentioning(
            OutboxMessage.objects.exclude(pk__in=d[OutboxMessage]),
            text_fields=("subject", "body_text", "body_html", "error"),
            markers=markers,
        )
    )
    d[WebhookDelivery] = _ids(
        mentioning(
            WebhookDelivery.objects.all(),
            text_fields=("last_error",),
            json_fields=("payload",),
            markers=markers,
        )
    )
    journey_ids = list(
        Journey.objects.filter(customer=customer).values_list("external_id", flat=True)
    )
    events = log_events_about(
        organisations=chain_orgs, case_ids=[customer.key, *journey_ids], markers=markers
    )
    d[LogEvent] = _ids(events)
    plan.event_logs = sorted(set(events.values_list("log_id", flat=True)))
    r[EventLog] = _ids(
        mentioning(
            EventLog.objects.filter(organisation__in=chain_orgs),
            text_fields=("name", "file_name", "error"),
            json_fields=("bad_rows", "warnings"),
            markers=markers,
        )
    )
    d[LogEntry] = _ids(_admin_log_entries(plan, markers))
    named = mentioning(
        AuditEntry.objects.filter(redacted_at__isnull=True),
        text_fields=("object_repr", "detail"),
        json_fields=("before", "after"),
        markers=markers,
    )
    r[AuditEntry] = _ids(
        AuditEntry.objects.filter(
            Q(customer_id=customer.pk)
            | Q(pk__in=named.values("pk"))
            | Q(object_repr=customer.key, redacted_at__isnull=True)
        )
    )
    task_results = _task_results(markers)
    if task_results is not None:
        d[task_results.model] = _ids(task_results)
    plan.organisations = _holders(customer, chain_orgs)
    return plan


def _admin_log_entries(plan: ErasurePlan, markers: Markers) -> QuerySet[LogEntry]:
    """Admin log lines about a row the erasure touches, or naming the customer."""
    condition = Q(object_repr=plan.customer.key)
    for group in (plan.deleted, plan.anonymised):
        for model, ids in group.items():
            if model is LogEntry or not ids:
                continue
            content_type = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    named = mentioning(
        LogEntry.objects.all(), text_fields=("object_repr", "change_message"), markers=markers
    )
    return LogEntry.objects.filter(condition | Q(pk__in=named.values("pk")))


def _task_results(markers: Markers) -> QuerySet | None:
    """Finished background tasks whose arguments, result or traceback name the customer."""
    if not apps.is_installed("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult

    return mentioning(
        DBTaskResult.objects.exclude(finished_at__isnull=True),
        text_fields=("traceback",),
        json_fields=("args_kwargs", "return_value"),
        markers=markers,
    )


def _holders(customer: Customer, chain_orgs: list[Organisation]) -> list[Organisation]:
    """The organisations of the chain that hold data about the customer."""
    return [o for o in chain_orgs if customers_of(o).filter(pk=customer.pk).exists()]


# --- receipts, retention, purges ----------------------------------------------------------------


def receipts_for(*, organisation: Organisation) -> QuerySet[ErasureReceipt]:
    """Receipts of erasures the organisation asked for or held data in, newest first."""
    return (
        ErasureReceipt.objects.filter(Q(organisation=organisation) | Q(organisations=organisation))
        .select_related("organisation")
        .distinct()
    )


def retention_for(*, organisation: Organisation) -> RetentionPolicy:
    """The organisation's retention policy; the defaults when it never set one."""
    policy = RetentionPolicy.objects.filter(organisation=organisation).first()
    return policy or RetentionPolicy(organisation=organisation)


def purge_runs_for(*, organisation: Organisation) -> QuerySet[PurgeRun]:
    """The organisation's purge runs, newest first."""
    return PurgeRun.objects.filter(organisation=organisation)
