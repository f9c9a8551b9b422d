"""Deciding, for new interactions, whether and when their customers are invited (the chain's "regie").

Facts for a whole batch of interactions are read in a handful of set-based queries
(planning_io.py), the customers are locked in id order (so parallel workers serialise per
customer and never deadlock), the rules in coordination.py decide over plain rows, and every
decision is stored with its reason, in bulk.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cxloop.customers import contacts
from cxloop.journeys.models import Interaction
from cxloop.lib.bulksql import Among
from cxloop.surveys import coordination, planning_io
from cxloop.surveys.models import (
    ContactPolicy,
    InactivityWait,
    InvitationDecision,
    InvitationRule,
    UnplannedInteraction,
)

COUNTED_STATUSES = planning_io.COUNTED_STATUSES
Reason = InvitationDecision.Reason
Outcome = InvitationDecision.Outcome


def policy_for(chain_id: int) -> coordination.Policy:
    """The chain's contact policy, or the defaults when none was set."""
    stored = ContactPolicy.objects.filter(chain_id=chain_id).first()
    if stored is None:
        return coordination.Policy()
    return coordination.Policy(
        quarantine_days=stored.quarantine_days,
        cap_count=stored.cap_count,
        cap_period_days=stored.cap_period_days,
        one_request_per_journey=stored.one_request_per_journey,
        suppress_during_open_complaint=stored.suppress_during_open_complaint,
    )


class RuleBook:
    """Active rules of the organisations involved, to find the one that governs an interaction."""

    def __init__(self, organisation_ids: Iterable[int]):
        self.by_org: dict[int, list[InvitationRule]] = defaultdict(list)
        for rule in InvitationRule.objects.filter(
            organisation_id__in=set(organisation_ids), is_active=True
        ).order_by("pk"):
            self.by_org[rule.organisation_id].append(rule)
        self._found: dict[tuple[int, int, int], InvitationRule | None] = {}

    def rule_for(self, interaction: Interaction) -> InvitationRule | None:
        journey_type = interaction.journey.journey_type
        return self.governing(journey_type.pk, journey_type.owner_id, interaction.organisation_id)

    def governing(
        self, journey_type_id: int, owner_id: int, organisation_id: int
    ) -> InvitationRule | None:
        """The journey owner's rule for this journey type governs the whole journey; else the partner's own."""
        key = (journey_type_id, owner_id, organisation_id)
        if key not in self._found:
            self._found[key] = self._governing(*key)
        return self._found[key]

    def _governing(
        self, journey_type_id: int, owner_id: int, organisation_id: int
    ) -> InvitationRule | None:
        owner_rules = [r for r in self.by_org[owner_id] if r.journey_type_id == journey_type_id]
        if owner_rules:
            return owner_rules[0]
        own = self.by_org[organisation_id]
        specific = [r for r in own if r.journey_type_id == journey_type_id]
        generic = [r for r in own if r.journey_type_id is None]
        return next(iter(specific or generic), None)


class Decided(NamedTuple):
    """What plan_invitations decided for one interaction (the stored row has the rest)."""

    interaction_id: int
    outcome: str
    reason: str


def send_time(
    rule: InvitationRule, *, interaction: Interaction, channel: str, now: datetime
) -> datetime:
    """After the rule's delay, and out of the quiet hours for SMS (and e-mail if the rule says so)."""
    return _send_after(rule, occurred_at=interaction.occurred_at, channel=channel, now=now)


def _send_after(
    rule: InvitationRule, *, occurred_at: datetime, channel: str, now: datetime
) -> datetime:
    base = now
    if rule.delay_minutes or occurred_at > now:
        base = max(now, occurred_at + timedelta(minutes=rule.delay_minutes))
    if channel == "sms" or rule.quiet_hours_for_email:
        return coordination.next_send_time(base, start=rule.quiet_start, end=rule.quiet_end)
    return base


def plan_invitations(
    *, interaction_ids: list[int], inactivity_elapsed: bool = False, now: datetime | None = None
) -> list[Decided]:
    """Decide for each interaction; safe to run twice, also at once (an interaction decided before is skipped).

    The batch's facts are read in a few set-based queries under the customers' locks, the rules
    decide over plain rows in (occurred_at, id) order (an invitation early in the batch counts
    for the interactions after it), and decisions and invitations are written in bulk.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = planning_io.interactions(interaction_ids)
        if not rows:
            # Deleted since they were recorded: nothing to decide, and off the sweeper's list.
            UnplannedInteraction.objects.filter(Among("interaction_id", interaction_ids)).delete()
            return []
        customers = planning_io.lock_customers(row[1] for row in rows)
        # Read under the locks, so two workers planning the same interactions cannot both decide.
        before = planning_io.decided([row[0] for row in rows])
        rows = [row for row in rows if not before.get(row[0])]
        # Decided now or before (or deleted since): off the sweeper's list, in the same
        # transaction as the decisions.
        UnplannedInteraction.objects.filter(Among("interaction_id", interaction_ids)).delete()
        if not rows:  # a retried task: everything was decided before
            return []
        planner = _BatchPlanner(rows, customers, inactivity_elapsed, now)
        decisions = planner.decide(rows, already_waiting=set(before))
        invitation_ids = planning_io.store(planner.decision_rows, planner.invitation_rows)
        due = [
            (row[7], pk) for row, pk in zip(planner.invitation_rows, invitation_ids, strict=True)
        ]
        quiet_by = _inactivity_due(planner.waiting)
        if quiet_by:
            InactivityWait.objects.bulk_create(
                [InactivityWait(interaction_id=pk, due_at=at) for pk, at in quiet_by],
                ignore_conflicts=True,  # a wait written before stands
            )
        transaction.on_commit(lambda: _after_commit(due))
        return decisions


def _inactivity_due(
    waiting: list[tuple[int, datetime, InvitationRule]],
) -> list[tuple[int, datetime]]:
    """The interactions that wait for their journey to go quiet, with the moment it will have."""
    return [
        (interaction_id, occurred_at + timedelta(hours=rule.inactivity_hours))
        for interaction_id, occurred_at, rule in waiting
        if rule.trigger == InvitationRule.Trigger.INACTIVITY
    ]


class _RuleTerms(NamedTuple):
    """What the batch planner reads of a rule, looked up once per rule rather than per row."""

    rule: InvitationRule
    pk: int
    organisation_id: int
    channel: str
    fallback_channel: str
    sampling_percent: int
    touchpoint_id: int | None
    waits_for_journey_end: bool
    waits_for_inactivity: bool
    # Its send time needs the interaction's moment: a delay, or quiet hours for this channel.
    timed: bool


def _terms(rule: InvitationRule) -> _RuleTerms:
    return _RuleTerms(
        rule,
        rule.pk,
        rule.organisation_id,
        rule.channel,
        rule.fallback_channel,
        rule.sampling_percent,
        rule.touchpoint_id,
        rule.trigger == InvitationRule.Trigger.JOURNEY_END,
        rule.trigger == InvitationRule.Trigger.INACTIVITY,
        bool(rule.delay_minutes)
        or rule.quiet_hours_for_email
        or "sms"
        in (
            rule.channel,
            rule.fallback_channel,
        ),
    )


class _BatchPlanner:
    """The rules over one batch's rows; collects decision and invitation rows to store in bulk.

    Times are whole microseconds (planning_io.Micros): the rows carry no datetime objects.
    """

    def __init__(
        self,
        rows: list[tuple],
        customers: dict[int, planning_io.CustomerRow],
        inactivity_elapsed: bool,
        now: datetime,
    ):
        self.customers = customers
        self.inactivity_elapsed = inactivity_elapsed
        self.now = now
        self.now_micros = planning_io.micros(now)
        self.rules = RuleBook({row[3] for row in rows} | {row[7] for row in rows})
        self.terms: dict[tuple[int, int, int], _RuleTerms | None] = {}
        self.survey_versions = SurveyVersions()
        self.decision_rows: list[tuple] = []
        self.invitation_rows: list[tuple] = []
        self.waiting: list[tuple[int, datetime, InvitationRule]] = []
        self._sent_detail: dict[tuple[str, datetime], str] = {}
        self._load_facts(rows)

    def _load_facts(self, rows: list[tuple]) -> None:
        customer_ids = sorted(self.customers)
        journey_ids = {row[2] for row in rows}
        chain_ids = {c.chain_id for c in self.customers.values()}
        self.history = planning_io.ContactHistory()
        # Per chain: its policy, and the bounds decide() computes from "now" (the cap's in
        # microseconds, as the invitations' times are kept).
        self.windows: dict[int, tuple[coordination.Policy, datetime, int]] = {}
        for chain_id in chain_ids:
            policy = policy_for(chain_id)
            cap_since = self.now - timedelta(days=policy.cap_period_days)
            quarantine_since = self.now - timedelta(days=policy.quarantine_days)
            self.windows[chain_id] = (policy, quarantine_since, planning_io.micros(cap_since))
            planning_io.contact_history(
                [pk for pk in customer_ids if self.customers[pk].chain_id == chain_id],
                journey_ids,
                horizon=min(cap_since, quarantine_since),
                cap_since=cap_since,
                history=self.history,
            )
        self.complaining = planning_io.complaining(customer_ids)
        self.contacts = planning_io.contact_rows(customer_ids)
        self.sharing = planning_io.sharing_chains(chain_ids)

    def decide(self, rows: list[tuple], *, already_waiting: set[int]) -> list[Decided]:
        decided = []
        for row in rows:
            outcome, reason = self._decide_one(row)
            if outcome == Outcome.WAITING and row[0] in already_waiting:
                self.decision_rows.pop()  # still waiting: the decision stored before stands
                self.waiting.pop()
                continue
            decided.append(Decided(row[0], outcome, reason))
        return decided

    def _governing(self, journey_type_id: int, owner_id: int, organisation_id: int):
        key = (journey_type_id, owner_id, organisation_id)
        if key not in self.terms:
            rule = self.rules.governing(*key)
            self.terms[key] = None if rule is None else _terms(rule)
        return self.terms[key]

    def _decide_one(self, row: tuple) -> tuple[str, str]:
        pk, customer_id, journey_id, organisation_id, occurred_at, touchpoint_id = row[:6]
        journey_type_id, owner_id, journey_ended, journey_external_id = row[6:]
        terms = self._governing(journey_type_id, owner_id, organisation_id)
        if terms is None:
            return self._store(row, None, Outcome.NOT_INVITED, Reason.NO_RULE)
        if terms.touchpoint_id and touchpoint_id != terms.touchpoint_id:
            return self._store(row, terms, Outcome.NOT_INVITED, Reason.NOT_AT_TOUCHPOINT)
        if (terms.waits_for_journey_end and not journey_ended) or (
            terms.waits_for_inactivity and not self.inactivity_elapsed
        ):
            self.waiting.append((pk, planning_io.from_micros(occurred_at), terms.rule))
            return self._store(row, terms, Outcome.WAITING, Reason.WAITING)
        customer = self.customers[customer_id]
        policy, quarantine_since, cap_since = self.windows[customer.chain_id]
        chosen = self._channel(customer_id, customer, terms, owner_id)
        last = self.history.last.get(customer_id)
        refused = coordination.refusal(
            policy,
            opted_out=customer.opted_out,
            chosen=chosen,
            channel=terms.channel,
            fallback_channel=terms.fallback_channel,
            open_complaint=customer_id in self.complaining,
            journey_asked=(customer_id, journey_id) in self.history.journeys_asked,
            last_invitation=None if last is None else planning_io.from_micros(last),
            quarantine_since=quarantine_since,
            invitations_in_cap_period=self.history.in_cap_period.get(customer_id, 0),
        )
        if refused is not None:
            return self._store(row, terms, Outcome.NOT_INVITED, *refused)
        percent = terms.sampling_percent
        if percent < 100 and not coordination.in_sample(
            percent=percent, key=f"{customer.key}:{journey_external_id}:{terms.pk}"
        ):
            return self._store(
                row, terms, Outcome.NOT_INVITED, Reason.NOT_SAMPLED, f"sample of {percent}%"
            )
        return self._invite(row, terms, chosen, cap_since)

    def _channel(
        self, customer_id: int, customer: planning_io.CustomerRow, terms: _RuleTerms, owner_id
    ) -> str:
        """The rule's channel or its fallback, with the details the inviting organisation may use."""
        supplied = self.contacts.get(customer_id)
        if supplied is None:  # only the customer's own (unattributed) details
            reachable = customer.reachable
        else:
            reachable = planning_io.reachable(
                contacts.candidates(
                    own=supplied.get(terms.organisation_id),
                    owner=supplied.get(owner_id) if owner_id else None,
                    unattributed=customer.unattributed,
                    is_owner=owner_id == terms.organisation_id,
                    partners_use_owner_details=customer.chain_id in self.sharing,
                )
            )
        for candidate in (terms.channel, terms.fallback_channel):
            if candidate in reachable:
                return candidate
        return ""

    def _invite(
        self, row: tuple, terms: _RuleTerms, channel: str, cap_since: int
    ) -> tuple[str, str]:
        pk, customer_id, journey_id, _, occurred_at = row[:5]
        rule = terms.rule
        survey_id = self.survey_versions.current(rule.survey_id)
        if survey_id is None:
            detail = "the rule's survey is not published yet"
            return self._store(row, terms, Outcome.NOT_INVITED, Reason.NO_RULE, detail)
        if terms.timed or occurred_at > self.now_micros:
            moment = planning_io.from_micros(occurred_at)
            send_after = _send_after(rule, occurred_at=moment, channel=channel, now=self.now)
            send_micros = planning_io.micros(send_after)
        else:  # no delay, no quiet hours, happened already: now
            send_after, send_micros = self.now, self.now_micros
        self.invitation_rows.append(
            (
                terms.organisation_id,
                survey_id,
                customer_id,
                journey_id,
                pk,
                terms.pk,
                channel,
                send_after,
                send_after + timedelta(days=rule.valid_days),
            )
        )
        # Seen by the interactions after this one in the batch: quarantine, cap, journey asked.
        self.history.record(customer_id, journey_id, send_micros, cap_since)
        if (channel, send_after) not in self._sent_detail:
            self._sent_detail[channel, send_after] = f"{channel} at {send_after:%Y-%m-%d %H:%M} UTC"
        detail = self._sent_detail[channel, send_after]
        return self._store(
            row, terms, Outcome.INVITED, Reason.INVITED, detail, len(self.invitation_rows) - 1
        )

    def _store(
        self,
        row: tuple,
        terms: _RuleTerms | None,
        outcome: str,
        reason: str,
        detail: str = "",
        invitation: int | None = None,
    ) -> tuple[str, str]:
        pk, customer_id, journey_id, organisation_id = row[:4]
        self.decision_rows.append(
            (
                self.customers[customer_id].chain_id,
                customer_id,
                terms.organisation_id if terms else organisation_id,
                pk,
                journey_id,
                terms.pk if terms else None,
                invitation,  # the index in invitation_rows; planning_io.store makes it an id
                outcome,
                reason,
                detail[:300],
                self.now,
            )
        )
        return outcome, reason


def unplanned(*, recorded_before: datetime, limit: int = 500) -> list[int]:
    """Interactions recorded before a moment that still have no decision (for the sweeper)."""
    return list(
        UnplannedInteraction.objects.filter(recorded_at__lt=recorded_before)
        .order_by("interaction_id")  # the oldest first: ids follow recording
        .values_list("interaction_id", flat=True)[:limit]
    )


def current_version_id(survey_id: int) -> int | None:
    """The newest published version of a survey family (rules point at the family's first version);
    None while nothing of the family is published, so that no draft reaches a customer."""
    from cxloop.surveys.models import Survey

    newest = (
        Survey.objects.filter(
            Q(pk=survey_id) | Q(family_id=survey_id), status=Survey.Status.PUBLISHED
        )
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    return newest


class SurveyVersions:
    """current_version_id, looked up once per survey family within one batch."""

    def __init__(self) -> None:
        self._seen: dict[int, int | None] = {}

    def current(self, survey_id: int) -> int | None:
        if survey_id not in self._seen:
            self._seen[survey_id] = current_version_id(survey_id)
        return self._seen[survey_id]


def _after_commit(due: list[tuple[datetime, int]]) -> None:
    from cxloop.surveys.tasks import send_invitations_task

    # Interactions waiting for a quiet journey get no task: the sweeper reads their list by time.
    enqueue_by_minute(send_invitations_task, due)


def enqueue_by_minute(task, due: Iterable[tuple[datetime, int]]) -> None:
    """Enqueue `task` once per minute of due moments, with the ids due in it: a batch of a
    thousand is one queue row, also when a delay gives every id its own moment. Those due now run
    at once, the others at the first whole minute from their moment on (never early)."""
    now = timezone.now()
    by_minute: dict[datetime, list[int]] = defaultdict(list)
    for when, pk in due:
        by_minute[_minute_from(when, now)].append(pk)
    for when, ids in by_minute.items():
        enqueue_at(task, when, ids)


def _minute_from(when: datetime, now: datetime) -> datetime:
    if when <= now:
        return now
    minute = when.replace(second=0, microsecond=0)
    return minute if minute == when else minute + timedelta(minutes=1)


def enqueue_at(task, when: datetime, *args) -> None:
    """Enqueue now, or for later when the backend can defer (the database queue can)."""
    if when > timezone.now() and task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(*args)
    else:
        task.enqueue(*args)


def decide_quiet_journeys(*, now: datetime, limit: int = 500) -> list[Decided]:
    """The sweeper's step for inactivity rules: decide, as one batch, for the interactions whose
    journey has been quiet for their rule's hours, the longest-waiting first.

    Each wait taken leaves the list: decided, or superseded by a later contact in its journey
    (which waits itself). One whose rule's quiet period has grown since moves to its new moment.
    Workers sweeping at once take different waits (SKIP LOCKED).
    """
    with transaction.atomic():
        taken = list(
            InactivityWait.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at", "interaction_id")
            .values_list("interaction_id", flat=True)[:limit]
        )
        ready = _settle_waits(_quiet_checks(taken, now))
        if not ready:
            return []
        return plan_invitations(interaction_ids=ready, inactivity_elapsed=True, now=now)


def check_inactivity(*, interaction_id: int, now: datetime | None = None) -> list[Decided]:
    """decide_quiet_journeys for one interaction (the task that interactions waiting before the
    list existed still have queued)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _settle_waits(_quiet_checks([interaction_id], now)):
            return []
        return plan_invitations(interaction_ids=[interaction_id], inactivity_elapsed=True, now=now)


class _QuietCheck(NamedTuple):
    ready: bool  # quiet long enough and still the latest contact in its journey
    wait_until: datetime | None = None  # not quiet long enough yet: the moment it will be


def _quiet_checks(interaction_ids: list[int], now: datetime) -> dict[int, _QuietCheck]:
    """Whether each interaction's journey has been quiet for its inactivity rule's hours, read for
    the whole list at once."""
    interactions = {
        i.pk: i
        for i in Interaction.objects.filter(Among("id", interaction_ids)).select_related(
            "journey__journey_type"
        )
    }
    rules = RuleBook(
        {i.organisation_id for i in interactions.values()}
        | {i.journey.journey_type.owner_id for i in interactions.values()}
    )
    # A later contact in the journey waits itself, and is the one to ask about.
    latest: dict[int, tuple[datetime, int]] = {}
    journey_ids = list({i.journey_id for i in interactions.values()})
    for journey_id, occurred_at, pk in Interaction.objects.filter(
        Among("journey_id", journey_ids)
    ).values_list("journey_id", "occurred_at", "pk"):
        latest[journey_id] = max(latest.get(journey_id, (occurred_at, pk)), (occurred_at, pk))
    checks = {}
    for pk in interaction_ids:
        interaction = interactions.get(pk)
        rule = None if interaction is None else rules.rule_for(interaction)
        if interaction is None or rule is None or rule.trigger != InvitationRule.Trigger.INACTIVITY:
            checks[pk] = _QuietCheck(ready=False)  # erased, or its rule changed since
            continue
        due_at = interaction.occurred_at + timedelta(hours=rule.inactivity_hours)
        if now < due_at:  # early, or the rule's quiet period has grown since
            checks[pk] = _QuietCheck(ready=False, wait_until=due_at)
        else:
            checks[pk] = _QuietCheck(ready=latest[interaction.journey_id][1] == pk)
    return checks


def _settle_waits(checks: dict[int, _QuietCheck]) -> list[int]:
    """Move the waits that are not over to their new moment, take the rest off the list, and
    return the interactions ready to be decided."""
    for interaction_id, check in checks.items():
        if check.wait_until is not None:
            InactivityWait.objects.filter(interaction_id=interaction_id).update(
                due_at=check.wait_until
            )
    over = [pk for pk, check in checks.items() if check.wait_until is None]
    if over:
        InactivityWait.objects.filter(Among("interaction_id", over)).delete()
    return [pk for pk, check in checks.items() if check.ready]
