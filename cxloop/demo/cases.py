"""The demo's follow-up cases: recent detractors' cases at every step of their workflow.

Written directly rather than through `open_case` and the step services, because those stamp
every step with the current time while a demo needs cases opened days ago, called, resolved
and closed since — and others overdue. The rows and events are the ones the services write
(same statuses, fields, event kinds and data); due times come from the same SLA calendar and
policies, the assignee from the same `responsible_lead`, and the leads work in business hours.
"""

import random
from datetime import datetime, timedelta
from typing import NamedTuple

from cxloop.demo import content
from cxloop.followup import sla
from cxloop.followup.assignment import responsible_lead
from cxloop.followup.escalation import ESCALATION_STEP, escalation_targets
from cxloop.followup.models import CaseEvent, FollowUpCase, FollowUpSettings, RootCause
from cxloop.followup.services import (
    _current_due,
    calendar_for,
    render_customer_message,
    sla_hours,
)
from cxloop.orgs.models import Organisation, Unit
from cxloop.responses.models import Response

Status = FollowUpCase.Status
Kind = CaseEvent.Kind
OPEN = (
    Status.NEW,
    Status.CONTACTED,
    Status.IN_PROGRESS,
)  # the ones the sweeper reminds and escalates
CASE_CAP = 300
UNTOUCHED = 0.12  # share of cases nobody picks up: they show as overdue
REACHED = 0.7  # chance that a call reaches the customer
MAX_FAILED_ATTEMPTS = 3  # FollowUpSettings' default: then the case closes as unreachable
GOES_ON = 0.85  # chance that a case moves on to its next step (if that lies before now)
# Each step after the first contact, with the working hours it takes after the one before.
STEPS = (
    (Kind.STARTED, (0.1, 3)),
    (Kind.RESOLVED, (1, 24)),
    (Kind.CUSTOMER_INFORMED, (0.2, 8)),
    (Kind.CLOSED, (0.1, 16)),
)
# The topic of a comment, found by its first sentence (comments are built from these sentences).
TOPIC_OF = {
    sentence: topic
    for (_, topic, _), sentences in content.VERBATIMS.items()
    for sentence in sentences
}

# (submitted_at, response id, organisation id, unit id, nps) of a recent detractor.
Candidate = tuple[datetime, int, int, int, int]


class Cause(NamedTuple):
    root_cause: RootCause
    action: str
    topics: tuple[str, ...]


def open_demo_cases(
    *,
    candidates: list[Candidate],
    organisations: dict[str, Organisation],
    units: dict[int, Unit],
    now: datetime,
    rng: random.Random,
) -> int:
    """Cases for recent detractors (at most CASE_CAP): new, overdue, contacted, resolved, informed, closed."""
    chosen = sorted(candidates if len(candidates) <= CASE_CAP else rng.sample(candidates, CASE_CAP))
    responses = Response.objects.select_related("customer").in_bulk([c[1] for c in chosen])
    desk = _Desk(organisations, rng, now)
    cases, events = [], []
    for submitted_at, response_id, organisation_id, unit_id, nps in chosen:
        case = desk.open(responses[response_id], organisation_id, units[unit_id], nps, submitted_at)
        cases.append(case)
        events += desk.work(case)
        events += desk.reminders_and_escalations(case)
    FollowUpCase.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create(events)
    return len(cases)


def create_root_causes(organisations: dict[str, Organisation]) -> dict[int, list[Cause]]:
    """Each organisation's root-cause taxonomy, with the usual action and the topics each explains."""
    return {
        organisation.pk: [
            Cause(RootCause.objects.create(organisation=organisation, name=name), action, topics)
            for name, action, topics in content.ROOT_CAUSES[slug]
        ]
        for slug, organisation in organisations.items()
    }


def comment_topic(comment: str) -> str | None:
    """What a demo comment is about, from its first sentence."""
    return next(
        (topic for sentence, topic in TOPIC_OF.items() if comment.startswith(sentence)), None
    )


class _Desk:
    """Opens the cases and draws how far each lead got with them by now."""

    def __init__(self, organisations: dict[str, Organisation], rng: random.Random, now: datetime):
        self.organisations = {
            organisation.pk: organisation for organisation in organisations.values()
        }
        self.calendars = {
            pk: calendar_for(organisation) for pk, organisation in self.organisations.items()
        }
        self.causes = create_root_causes(organisations)
        self.rng, self.now = rng, now
        # FollowUpSettings' reminder lead time, or its default where an organisation has none.
        default = FollowUpSettings._meta.get_field("remind_before_hours").default
        configured = dict(
            FollowUpSettings.objects.filter(organisation_id__in=self.organisations).values_list(
                "organisation_id", "remind_before_hours"
            )
        )
        self.remind_before_hours = {pk: configured.get(pk, default) for pk in self.organisations}
        self._sla_hours: dict[tuple[int, int | None], tuple[float, float]] = {}

    def open(
        self, response: Response, organisation_id: int, unit: Unit, nps: int, submitted_at: datetime
    ) -> FollowUpCase:
        """A new case as open_case opens it (no rule: the detractor fallback), a minute after the answer."""
        case = FollowUpCase(
            response=response,
            organisation=self.organisations[organisation_id],
            unit=unit,
            # The units' parents and leads are cached on these instances, so this runs no query.
            assignee=responsible_lead(unit),
            priority=FollowUpCase.Priority.NORMAL,
            reason=f"NPS {nps}",
            opened_at=submitted_at + timedelta(minutes=1),
        )
        first, resolution = self._hours(case)
        case.first_contact_due_at = self._after(case, case.opened_at, first)
        case.due_at = self._after(case, case.opened_at, resolution)
        return case

    def work(self, case: FollowUpCase) -> list[CaseEvent]:
        """The case's events from opening to how far it got; updates the case to match."""
        events = [CaseEvent(case=case, kind=Kind.OPENED, at=case.opened_at, note=case.reason)]
        if case.assignee is not None:
            data = {"employee_id": case.assignee.pk, "name": case.assignee.name}
            events.append(CaseEvent(case=case, kind=Kind.ASSIGNED, at=case.opened_at, data=data))
        if self.rng.random() < UNTOUCHED:
            return events
        at = self._calls(case, events, self._after(case, case.opened_at, self.rng.uniform(0.3, 10)))
        cause = self._cause(case)
        for kind, hours in STEPS:
            if at is None:
                break
            at = self._after(case, at, self.rng.uniform(*hours))
            if at > self.now or self.rng.random() > GOES_ON:
                break
            self._step(case, events, kind, at, cause)
        return events

    def reminders_and_escalations(self, case: FollowUpCase) -> list[CaseEvent]:
        """What the sweeper did for an open case by now: its reminder before the due time and one
        escalation per working day overdue, as `remind_case` and `escalate_case` log them. Without
        this history the first sweep after `cxloop demo` would send every one of them at once."""
        if case.status not in OPEN:
            return []
        due, events = _current_due(case), []
        remind_at = due - timedelta(hours=self.remind_before_hours[case.organisation_id])
        if case.assignee is not None and remind_at <= self.now:
            case.reminded_at = remind_at
            data = {"due_at": due.isoformat()}
            events.append(CaseEvent(case=case, kind=Kind.REMINDED, at=remind_at, data=data))
        if due > self.now:
            return events
        overdue = sla.working_time_between(self.calendars[case.organisation_id], due, self.now)
        ladder = escalation_targets(case)
        for level in range(1, min(1 + int(overdue / ESCALATION_STEP), len(ladder)) + 1):
            at = self._after(case, due, (ESCALATION_STEP * (level - 1)).total_seconds() / 3600)
            case.escalation_level, case.escalated_at = level, at
            escalation = {"level": level, "to": ladder[level - 1]}
            events.append(CaseEvent(case=case, kind=Kind.ESCALATED, at=at, data=escalation))
        return events

    def _hours(self, case: FollowUpCase) -> tuple[float, float]:
        key = (case.organisation_id, case.response.journey_type_id)
        if key not in self._sla_hours:
            self._sla_hours[key] = sla_hours(
                organisation=case.organisation, journey_type_id=key[1], priority=case.priority
            )
        return self._sla_hours[key]

    def _after(self, case: FollowUpCase, moment: datetime, hours: float) -> datetime:
        """The moment `hours` of the organisation's working time after another."""
        calendar = self.calendars[case.organisation_id]
        return sla.add_working_time(calendar, moment, timedelta(hours=hours))

    def _cause(self, case: FollowUpCase) -> Cause:
        """A root cause that explains what the customer wrote, if one does."""
        causes = self.causes[case.organisation_id]
        topic = comment_topic(case.response.comment)
        return self.rng.choice([c for c in causes if topic in c.topics] or causes)

    def _calls(self, case: FollowUpCase, events: list[CaseEvent], at: datetime) -> datetime | None:
        """Calls until the customer is reached (returns when), or the last failure closes the case."""
        while at <= self.now:
            reached = self.rng.random() < REACHED
            note = self.rng.choice(content.CASE_NOTES[reached])
            data = {"channel": "phone", "reached": reached}
            events.append(_event(case, Kind.CONTACT_ATTEMPT, at, note=note, data=data))
            if reached:
                case.status, case.first_contact_at = Status.CONTACTED, at
                return at
            case.failed_attempts += 1
            if case.failed_attempts >= MAX_FAILED_ATTEMPTS:
                note = f"{case.failed_attempts} failed contact attempts"
                _close(case, events, at, reason="unreachable", note=note)
                return None
            at = self._after(case, at, self.rng.uniform(1, 8))
        return None

    def _step(
        self, case: FollowUpCase, events: list[CaseEvent], kind: str, at: datetime, cause: Cause
    ) -> None:
        """One workflow step as its service takes it: status, fields and event."""
        if kind == Kind.STARTED:
            case.status = Status.IN_PROGRESS
            events.append(_event(case, kind, at))
        elif kind == Kind.RESOLVED:
            case.status, case.root_cause, case.resolved_at = Status.RESOLVED, cause.root_cause, at
            case.action_taken = cause.action
            data = {"root_cause": cause.root_cause.name}
            events.append(_event(case, kind, at, note=cause.action, data=data))
        elif kind == Kind.CUSTOMER_INFORMED:
            subject, body = render_customer_message(case=case, template=None)
            case.status, case.customer_message, case.informed_at = Status.INFORMED, body, at
            events.append(_event(case, kind, at, note=subject))
        else:
            _close(case, events, at, reason="resolved", note="")


def _event(
    case: FollowUpCase, kind: str, at: datetime, *, note: str = "", data: dict | None = None
) -> CaseEvent:
    """A step logged by the lead who works the case, under their own login."""
    actor_id = case.assignee.user_id if case.assignee is not None else None
    return CaseEvent(case=case, kind=kind, at=at, actor_id=actor_id, note=note, data=data or {})


def _close(
    case: FollowUpCase, events: list[CaseEvent], at: datetime, *, reason: str, note: str
) -> None:
    case.status, case.closed_at, case.closed_reason = Status.CLOSED, at, reason
    case.resolution = note or case.action_taken
    events.append(_event(case, Kind.CLOSED, at, note=note, data={"reason": reason}))
