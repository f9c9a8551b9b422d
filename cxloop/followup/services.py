"""Follow-up cases: opened by a rule from a response, worked through their steps, measured on SLAs.

new → contacted → in progress (⇄ waiting for the customer, SLA paused) → resolved (root cause
and action required) → customer informed → closed; reopen. Every step writes a CaseEvent with
its actor and time, and changes go out as webhooks after the transaction commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cxloop.customers.contacts import Details
from cxloop.customers.queries import contact_details
from cxloop.followup import history, matching, sla
from cxloop.followup.assignment import pick_queue_member, record_turn, responsible_lead
from cxloop.followup.history import CaseActor
from cxloop.followup.models import (
    CaseEvent,
    CustomerMessageTemplate,
    FollowUpCase,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.lib.locale import staff_language
from cxloop.messaging.services import queue_email
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.responses.models import Response

DETRACTOR_MAX = 6
DEFAULT_FIRST_CONTACT_HOURS = 8
DEFAULT_RESOLUTION_HOURS = 40
Status = FollowUpCase.Status
OPEN_STATUSES = [Status.NEW, Status.CONTACTED, Status.IN_PROGRESS, Status.WAITING]


class CaseError(Exception):
    """A step that the case's state or the input does not allow."""


# --- rules -------------------------------------------------------------------------------


def apply_followup_rules_after_commit(*, response_id: int) -> None:
    """Run the follow-up rules for a submitted response once its transaction commits."""
    from cxloop.followup.tasks import apply_followup_rules_task

    transaction.on_commit(lambda: apply_followup_rules_task.enqueue(response_id))


def _facts(response: Response) -> matching.ResponseFacts:
    by_kind = {
        a.question.kind: a.number
        for a in response.answers.select_related("question")
        if a.number is not None
    }
    return matching.ResponseFacts(
        nps=response.nps,
        csat=by_kind.get("csat"),
        ces=by_kind.get("ces"),
        comment=response.comment,
        journey_type_id=response.journey_type_id,
        channel_id=response.channel_id,
        segment=response.customer.segment,
    )


def _conditions(rule: FollowUpRule) -> matching.Conditions:
    return matching.Conditions(
        nps_max=rule.nps_max,
        nps_min=rule.nps_min,
        csat_max=rule.csat_max,
        ces_min=rule.ces_min,
        keywords=matching.parse_keywords(rule.keywords),
        journey_type_id=rule.journey_type_id,
        channel_id=rule.channel_id,
        segment=rule.segment,
        require_comment=rule.require_comment,
    )


def apply_followup_rules(*, response_id: int) -> FollowUpCase | None:
    """Open a case by the first matching rule, forward a compliment; without rules, detractors get a case.

    Safe to run twice: a response has at most one case and one forwarded compliment.
    """
    response = Response.objects.select_related(
        "unit", "organisation", "customer", "employee", "interaction", "journey_type"
    ).get(pk=response_id)
    if response.submitted_at is None:
        return None
    existing = FollowUpCase.objects.filter(response=response).first()
    if existing is not None:
        return existing
    rules = list(
        FollowUpRule.objects.filter(
            organisation=response.organisation, is_active=True
        ).select_related("queue")
    )
    facts = _facts(response)
    if not rules:
        if response.nps is not None and response.nps <= DETRACTOR_MAX:
            return open_case(response=response, reason=f"NPS {response.nps}")
        return None
    case = None
    for rule in rules:
        if not matching.matches(_conditions(rule), facts):
            continue
        if rule.action == FollowUpRule.Action.FORWARD_COMPLIMENT:
            forward_compliment(response=response)
        elif case is None:
            case = open_case(response=response, reason=rule.name, priority=rule.priority, rule=rule)
    return case


def forward_compliment(*, response: Response) -> int:
    """E-mail a customer's praise to the employee it was about and their lead; returns messages queued."""
    from cxloop.messaging.models import OutboxMessage

    if (
        OutboxMessage.objects.filter(purpose="compliment", subject_id=response.pk).exists()
        or response.employee is None
    ):
        return 0
    employee = response.employee
    recipients = {
        e.email for e in (employee, responsible_lead(employee.unit)) if e is not None and e.email
    }
    context = {
        "response": response,
        "employee": employee,
        "url": settings.BASE_URL + reverse("my_dashboard"),
    }
    with transaction.atomic():
        for recipient in sorted(recipients):
            with translation.override(staff_language(recipient)):
                queue_email(
                    organisation=response.organisation,
                    recipient=recipient,
                    subject=render_to_string(
                        "followup/email/compliment_subject.txt", context
                    ).strip(),
                    text=render_to_string("followup/email/compliment.txt", context),
                    purpose="compliment",
                    subject_id=response.pk,
                )
    return len(recipients)


# --- SLA -----------------------------------------------------------------------------------


def calendar_for(organisation: Organisation) -> sla.Calendar:
    """The organisation's business hours (Mon–Fri 08:30–17:30 by default) and Dutch holidays."""
    return calendar_from(FollowUpSettings.objects.filter(organisation=organisation).first())


def calendar_from(stored: FollowUpSettings | None) -> sla.Calendar:
    """The calendar that an organisation's settings (or their absence) describe."""
    if stored is None:
        return sla.Calendar(closed_days=sla.dutch_public_holidays())
    closed = sla.dutch_public_holidays() if stored.closed_on_public_holidays else frozenset()
    return sla.Calendar(hours=sla.parse_hours(stored.opening_hours), closed_days=closed)


def sla_hours(
    *,
    organisation: Organisation,
    journey_type_id: int | None,
    priority: str,
    journey_owner_id: int | None = None,
) -> tuple[float, float]:
    """Working hours to first contact and to resolution: the most specific policy, else the defaults.

    A partner handling a case in another organisation's journey without its own policy for that
    journey type keeps the journey owner's policy for it (what the chain agreed for the journey)
    before its own general one.
    """
    owners = {organisation.pk} | ({journey_owner_id} if journey_owner_id else set())
    policies = SlaPolicy.objects.filter(organisation_id__in=owners, priority=priority).order_by(
        "journey_type_id", "pk"
    )
    own = [p for p in policies if p.organisation_id == organisation.pk]
    specific = [p for p in own if p.journey_type_id == journey_type_id]
    agreed = [
        p
        for p in policies
        if p.organisation_id == journey_owner_id and p.journey_type_id == journey_type_id
    ]
    generic = [p for p in own if p.journey_type_id is None]
    chosen = specific or (agreed if journey_type_id else []) or generic
    if not chosen:
        return DEFAULT_FIRST_CONTACT_HOURS, DEFAULT_RESOLUTION_HOURS
    policy = chosen[0]
    return float(policy.first_contact_hours), float(policy.resolution_hours)


# --- opening and assigning -------------------------------------------------------------------------


def _owner_for(
    response: Response, rule: FollowUpRule | None
) -> tuple[Employee | None, FollowUpQueue | None]:
    if rule is not None and rule.owner == FollowUpRule.Owner.QUEUE and rule.queue is not None:
        member = pick_queue_member(
            rule.queue, customer_id=response.customer_id, segment=response.customer.segment
        )
        return member, rule.queue
    return responsible_lead(response.unit), None


def contact_organisation_id(response: Response) -> int:
    """The organisation whose contact with the customer the feedback is about (a partner's, in the owner's journey)."""
    if response.interaction is not None:  # no query without an interaction
        return response.interaction.organisation_id
    if response.unit is not None:
        return response.unit.organisation_id
    return response.organisation_id


def handled_by(
    response: Response, *, assignee: Employee | None, queue: FollowUpQueue | None
) -> tuple[Organisation, Unit | None]:
    """The organisation and unit that handle a new case: whose contact it was, unless a rule sends it to a queue elsewhere.

    The response belongs to the organisation that invited (the journey owner's rule governs a
    journey), but the call back, the escalation and the KPIs belong to the organisation whose
    employee had the contact: its leads, its admins, its business hours.
    """
    contact_id = contact_organisation_id(response)
    if queue is not None and queue.organisation_id != contact_id:
        return queue.organisation, assignee.unit if assignee else None
    if contact_id == response.organisation_id:
        return response.organisation, response.unit
    return Organisation.objects.get(pk=contact_id), response.unit


@transaction.atomic
def open_case(
    *,
    response: Response,
    reason: str,
    priority: str = FollowUpCase.Priority.NORMAL,
    rule: FollowUpRule | None = None,
) -> FollowUpCase:
    """Open a case for a response, assign it and set its first-contact and resolution due times."""
    now = timezone.now()
    assignee, queue = _owner_for(response, rule)
    organisation, unit = handled_by(response, assignee=assignee, queue=queue)
    first_hours, resolution_hours = sla_hours(
        organisation=organisation,
        journey_type_id=response.journey_type_id,
        priority=priority,
        journey_owner_id=response.journey_type.owner_id if response.journey_type else None,
    )
    calendar = calendar_for(organisation)
    case = FollowUpCase.objects.create(
        response=response,
        rule=rule,
        organisation=organisation,
        unit=unit,
        queue=queue,
        assignee=assignee,
        priority=priority,
        reason=reason[:200],
        opened_at=now,
        first_contact_due_at=sla.add_working_time(calendar, now, timedelta(hours=first_hours)),
        due_at=sla.add_working_time(calendar, now, timedelta(hours=resolution_hours)),
    )
    history.record(case, CaseEvent.Kind.OPENED, None, now, note=reason)
    if assignee is not None:
        history.record(
            case,
            CaseEvent.Kind.ASSIGNED,
            None,
            now,
            data={"employee_id": assignee.pk, "name": assignee.name},
        )
        if queue is not None:
            record_turn(queue, assignee)
        if assignee.email:
            transaction.on_commit(lambda: _enqueue_notification(case.pk))
    history.notify_webhooks(case, "case.opened")
    return case


def _enqueue_notification(case_id: int) -> None:
    from cxloop.followup.tasks import notify_assignee_task

    notify_assignee_task.enqueue(case_id)


def notify_assignee(*, case_id: int) -> None:
    """E-mail the assignee that a dissatisfied customer is waiting for a call."""
    from cxloop.messaging.models import OutboxMessage

    case = FollowUpCase.objects.select_related("assignee", "organisation", "response").get(
        pk=case_id
    )
    if case.assignee is None or not case.assignee.email:
        return
    already = OutboxMessage.objects.filter(
        purpose="case_assigned", subject_id=case.pk, recipient=case.assignee.email
    )
    if already.exists():
        return
    context = {
        "case": case,
        "url": settings.BASE_URL + reverse("case_detail", kwargs={"pk": case.pk}),
    }
    with translation.override(staff_language(case.assignee.email)):
        queue_email(
            organisation=case.organisation,
            recipient=case.assignee.email,
            subject=render_to_string("followup/email/assigned_subject.txt", context).strip(),
            text=render_to_string("followup/email/assigned.txt", context),
            purpose="case_assigned",
            subject_id=case.pk,
        )


@transaction.atomic
def reassign_case(
    *,
    case: FollowUpCase,
    actor: CaseActor | None,
    assignee: Employee | None = None,
    queue: FollowUpQueue | None = None,
    note: str = "",
) -> FollowUpCase:
    """Give the case to another employee (or a queue's next member); moves between units or organisations count as hand-overs."""
    case = _locked(case)
    _require_open(case)
    if queue is not None and assignee is None:
        assignee = pick_queue_member(
            queue, customer_id=case.response.customer_id, segment=case.response.customer.segment
        )
        if assignee is not None:
            record_turn(queue, assignee)
    if assignee is None:
        raise CaseError("choose an employee, or a queue with members")
    if assignee.pk == case.assignee_id:
        return case
    moved = assignee.unit_id != case.unit_id or assignee.organisation_id != case.organisation_id
    previous = case.assignee
    case.assignee, case.queue = assignee, queue or case.queue
    case.unit_id, case.organisation_id = assignee.unit_id, assignee.organisation_id
    case.reassignments += 1
    case.handovers += int(moved)
    case.save(
        update_fields=["assignee", "queue", "unit", "organisation", "reassignments", "handovers"]
    )
    history.record(
        case,
        CaseEvent.Kind.REASSIGNED,
        actor,
        timezone.now(),
        note=note,
        data={
            "from_employee_id": previous.pk if previous else None,
            "to_employee_id": assignee.pk,
            "to_name": assignee.name,
            "handover": moved,
        },
    )
    if assignee.email:
        transaction.on_commit(lambda: _enqueue_notification(case.pk))
    return case


# --- the steps ----------------------------------------------------------------------------------


def _locked(case: FollowUpCase) -> FollowUpCase:
    return (
        FollowUpCase.objects.select_for_update(of=("self",))
        .select_related("response__customer", "organisation")
        .get(pk=case.pk)
    )


def _require_open(case: FollowUpCase) -> None:
    if case.status not in OPEN_STATUSES:
        raise CaseError("the case is no longer open")


@transaction.atomic
def log_contact_attempt(
    *, case: FollowUpCase, actor: CaseActor, channel: str, reached: bool, note: str = ""
) -> CaseEvent:
    """Record a call or message to the customer; after too many failed attempts the case closes as unreachable."""
    case = _locked(case)
    _require_open(case)
    now = timezone.now()
    event = history.record(
        case,
        CaseEvent.Kind.CONTACT_ATTEMPT,
        actor,
        now,
        note=note,
        data={"channel": channel, "reached": reached},
    )
    if reached:
        case.first_contact_at = case.first_contact_at or now
        if case.status == Status.NEW:
            case.status = Status.CONTACTED
        case.save(update_fields=["first_contact_at", "status"])
        return event
    case.failed_attempts += 1
    case.save(update_fields=["failed_attempts"])
    limit = (
        FollowUpSettings.objects.filter(organisation=case.organisation)
        .values_list("max_failed_attempts", flat=True)
        .first()
        or 3
    )
    if case.first_contact_at is None and case.failed_attempts >= limit:
        _close(
            case,
            actor,
            now,
            reason="unreachable",
            note=f"{case.failed_attempts} failed contact attempts",
        )
    return event


@transaction.atomic
def start_work(*, case: FollowUpCase, actor: CaseActor, note: str = "") -> FollowUpCase:
    """Mark that the cause is being worked on (after contact with the customer)."""
    case = _locked(case)
    if case.status not in (Status.CONTACTED, Status.NEW):
        raise CaseError("work starts on a new or contacted case")
    case.status = Status.IN_PROGRESS
    case.save(update_fields=["status"])
    history.record(case, CaseEvent.Kind.STARTED, actor, timezone.now(), note=note)
    return case


@transaction.atomic
def wait_for_customer(*, case: FollowUpCase, actor: CaseActor, note: str = "") -> FollowUpCase:
    """Pause the resolution clock while the customer has to do something."""
    case = _locked(case)
    _require_open(case)
    if case.status == Status.WAITING:
        return case
    now = timezone.now()
    case.status, case.paused_at = Status.WAITING, now
    case.save(update_fields=["status", "paused_at"])
    history.record(case, CaseEvent.Kind.PAUSED, actor, now, note=note)
    return case


@transaction.atomic
def resume(*, case: FollowUpCase, actor: CaseActor | None, note: str = "") -> FollowUpCase:
    """Restart the clock: the due time moves on by the working time the case was paused."""
    case = _locked(case)
    if case.status != Status.WAITING or case.paused_at is None:
        raise CaseError("the case is not waiting for the customer")
    now = timezone.now()
    calendar = calendar_for(case.organisation)
    remaining = sla.working_time_between(calendar, case.paused_at, case.due_at)
    case.due_at = sla.add_working_time(calendar, now, remaining)
    case.status, case.paused_at = Status.IN_PROGRESS, None
    case.save(update_fields=["due_at", "status", "paused_at"])
    history.record(
        case,
        CaseEvent.Kind.RESUMED,
        actor,
        now,
        note=note,
        data={"due_at": case.due_at.isoformat()},
    )
    return case


@transaction.atomic
def resolve_case(
    *, case: FollowUpCase, actor: CaseActor, root_cause: RootCause | None, action_taken: str
) -> FollowUpCase:
    """Record the root cause and the action taken; a case cannot be resolved without both."""
    action_taken = action_taken.strip()
    if root_cause is None or not action_taken:
        raise CaseError("give the root cause and the action taken")
    case = _locked(case)
    _require_open(case)
    if root_cause.organisation_id != case.organisation_id:
        raise CaseError("choose a root cause of the case's organisation")
    now = timezone.now()
    if case.status == Status.WAITING:
        case.paused_at = None
    case.status, case.root_cause, case.action_taken, case.resolved_at = (
        Status.RESOLVED,
        root_cause,
        action_taken,
        now,
    )
    case.save(update_fields=["status", "root_cause", "action_taken", "resolved_at", "paused_at"])
    history.record(
        case,
        CaseEvent.Kind.RESOLVED,
        actor,
        now,
        note=action_taken,
        data={"root_cause": root_cause.name},
    )
    return case


def customer_contact(*, case: FollowUpCase) -> Details:
    """The customer's contact details the case's organisation may use: its own, never a partner's."""
    response = case.response
    return contact_details(
        customer=response.customer,
        organisation_id=case.organisation_id,
        owner_id=response.journey_type.owner_id if response.journey_type else None,
    )


def render_customer_message(
    *, case: FollowUpCase, template: CustomerMessageTemplate | None
) -> tuple[str, str]:
    """Subject and body of the message back to the customer, in their language."""
    language = customer_contact(case=case).language
    values = {
        "organisation": case.organisation.name,
        "action": case.action_taken,
        "employee": case.assignee.name if case.assignee else case.organisation.name,
    }
    subject: str
    body: str
    if template is None:
        with translation.override(language):
            body = render_to_string(
                "followup/email/customer_informed.txt", {"case": case, **values}
            )
            subject = render_to_string(
                "followup/email/customer_informed_subject.txt", values
            ).strip()
        return subject, body
    subject, body = (
        (template.subject_en, template.body_en)
        if language == "en"
        else (template.subject_nl, template.body_nl)
    )
    try:
        return subject.format(**values), body.format(**values)
    except (KeyError, IndexError, ValueError) as error:
        raise CaseError(f"the template has an unknown placeholder: {error}") from None


@transaction.atomic
def inform_customer(
    *, case: FollowUpCase, actor: CaseActor, subject: str, body: str
) -> FollowUpCase:
    """Send the customer what was done with their feedback (the "terugmelding") and record it."""
    case = _locked(case)
    if case.status != Status.RESOLVED:
        raise CaseError("inform the customer after the case is resolved")
    contact = customer_contact(
        case=case
    )  # the case's organisation's own details, never a partner's
    if not contact.has_email:
        raise CaseError(
            "the customer has no usable e-mail address; call them and log it as a contact attempt"
        )
    if not subject.strip() or not body.strip():
        raise CaseError("write a subject and a message")
    now = timezone.now()
    queue_email(
        organisation=case.organisation,
        recipient=contact.email,
        subject=subject.strip(),
        text=body,
        purpose="customer_informed",
        subject_id=case.pk,
    )
    case.status, case.customer_message, case.informed_at = Status.INFORMED, body, now
    case.save(update_fields=["status", "customer_message", "informed_at"])
    history.record(case, CaseEvent.Kind.CUSTOMER_INFORMED, actor, now, note=subject.strip())
    return case


@transaction.atomic
def close_case(*, case: FollowUpCase, actor: CaseActor, note: str = "") -> FollowUpCase:
    """Close a resolved case (with or without the customer informed, which the KPIs show)."""
    case = _locked(case)
    if case.status == Status.CLOSED:
        raise CaseError("the case is already closed")
    if case.status not in (Status.RESOLVED, Status.INFORMED):
        raise CaseError("resolve the case with its root cause and action before closing it")
    _close(case, actor, timezone.now(), reason="resolved", note=note)
    return case


def _close(
    case: FollowUpCase, actor: CaseActor | None, now: datetime, *, reason: str, note: str
) -> None:
    case.status, case.closed_at, case.closed_reason = Status.CLOSED, now, reason
    case.resolution = note or case.action_taken
    case.save(update_fields=["status", "closed_at", "closed_reason", "resolution"])
    history.record(case, CaseEvent.Kind.CLOSED, actor, now, note=note, data={"reason": reason})
    history.notify_webhooks(case, "case.closed")


@transaction.atomic
def reopen_case(*, case: FollowUpCase, actor: CaseActor, note: str) -> FollowUpCase:
    """Reopen a closed or resolved case, e.g. when the customer calls back."""
    if not note.strip():
        raise CaseError("say why the case is reopened")
    case = _locked(case)
    if case.status not in (Status.RESOLVED, Status.INFORMED, Status.CLOSED):
        raise CaseError("only a resolved or closed case can be reopened")
    now = timezone.now()
    case.status, case.closed_at, case.closed_reason, case.resolved_at = (
        Status.IN_PROGRESS,
        None,
        "",
        None,
    )
    case.save(update_fields=["status", "closed_at", "closed_reason", "resolved_at"])
    history.record(case, CaseEvent.Kind.REOPENED, actor, now, note=note)
    return case


@transaction.atomic
def add_note(*, case: FollowUpCase, actor: CaseActor, note: str) -> CaseEvent:
    """A note on the case's timeline."""
    if not note.strip():
        raise CaseError("the note is empty")
    return history.record(
        _locked(case), CaseEvent.Kind.NOTE, actor, timezone.now(), note=note.strip()
    )


# --- reminders and escalation (run by the sweeper) -----------------------------------------------


@dataclass(frozen=True)
class EscalationReport:
    reminded: int
    escalated: int


def _current_due(case: FollowUpCase) -> datetime:
    """The due time that matters now: first contact until the customer is reached, then resolution."""
    if case.first_contact_at is None and case.first_contact_due_at is not None:
        return min(case.first_contact_due_at, case.due_at)
    return case.due_at


def remind_and_escalate(*, now: datetime | None = None) -> EscalationReport:
    """Remind assignees before a due time; when overdue, escalate one layer up per working day overdue."""
    from cxloop.followup.escalation import escalate_case, remind_case

    now = now or timezone.now()
    reminded = escalated = 0
    cases = FollowUpCase.objects.filter(
        status__in=[Status.NEW, Status.CONTACTED, Status.IN_PROGRESS]
    ).select_related("organisation", "assignee", "unit")
    for case in cases.filter(first_contact_due_at__lte=now + timedelta(days=14)).order_by("pk")[
        :2000
    ]:
        due = _current_due(case)
        reminded += remind_case(case=case, due=due, now=now)
        escalated += escalate_case(case=case, due=due, now=now)
    return EscalationReport(reminded=reminded, escalated=escalated)
