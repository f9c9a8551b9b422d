"""Deciding, for new interactions, whether and when their customers are invited (the chain's "regie").

Facts for a whole batch of interactions are read in a handful of queries, the customers are
locked in id order (so parallel workers serialise per customer and never deadlock), and the
pure rules in coordination.py decide. Every decision is stored with its reason.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cxloop.customers.models import Customer
from cxloop.customers.queries import ContactBook
from cxloop.journeys.models import Interaction
from cxloop.surveys import coordination
from cxloop.surveys.models import (
    ContactPolicy,
    Invitation,
    InvitationDecision,
    InvitationRule,
    UnplannedInteraction,
)

Reason = InvitationDecision.Reason
Outcome = InvitationDecision.Outcome
COUNTED_STATUSES = [
    s
    for s in Invitation.Status.values
    if s not in (Invitation.Status.CANCELLED, Invitation.Status.FAILED)
]


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

    def rule_for(self, interaction: Interaction) -> InvitationRule | None:
        """The journey owner's rule for this journey type governs the whole journey; else the partner's own."""
        journey_type = interaction.journey.journey_type
        owner_rules = [
            r for r in self.by_org[journey_type.owner_id] if r.journey_type_id == journey_type.pk
        ]
        if owner_rules:
            return owner_rules[0]
        own = self.by_org[interaction.organisation_id]
        specific = [r for r in own if r.journey_type_id == journey_type.pk]
        generic = [r for r in own if r.journey_type_id is None]
        return (specific or generic or [None])[0]


def _load_facts(
    customers: list[Customer], policy: coordination.Policy, now: datetime, *, journey_ids: set[int]
) -> dict[int, coordination.CustomerFacts]:
    from cxloop.followup.models import FollowUpCase

    horizon = now - timedelta(days=max(policy.quarantine_days, policy.cap_period_days))
    ids = [c.pk for c in customers]
    times: dict[int, list[datetime]] = defaultdict(list)
    journeys: dict[int, set[int]] = defaultdict(set)
    # Only what can matter: invitations within the longest window, and any in the journeys at hand.
    relevant = Q(send_after__gte=horizon) | Q(journey_id__in=journey_ids)
    for customer_id, send_after, journey_id in Invitation.objects.filter(
        relevant, customer_id__in=ids, status__in=COUNTED_STATUSES
    ).values_list("customer_id", "send_after", "journey_id"):
        journeys[customer_id].add(journey_id)
        if send_after >= horizon:
            times[customer_id].append(send_after)
    complaining = set(
        FollowUpCase.objects.filter(response__customer_id__in=ids)
        .exclude(status=FollowUpCase.Status.CLOSED)
        .values_list("response__customer_id", flat=True)
    )
    return {
        c.pk: coordination.CustomerFacts(
            opted_out=c.opted_out_at is not None,
            # has_email / has_phone depend on the inviting organisation: set per decision.
            open_complaint=c.pk in complaining,
            invitation_times=times[c.pk],
            journeys_asked=journeys[c.pk],
        )
        for c in customers
    }


def _decision(
    interaction: Interaction,
    rule: InvitationRule | None,
    outcome: str,
    reason: str,
    now: datetime,
    detail: str = "",
    invitation: Invitation | None = None,
) -> InvitationDecision:
    return InvitationDecision(
        chain_id=interaction.customer.chain_id,
        customer_id=interaction.customer_id,
        organisation_id=rule.organisation_id if rule else interaction.organisation_id,
        interaction=interaction,
        journey_id=interaction.journey_id,
        rule=rule,
        invitation=invitation,
        outcome=outcome,
        reason=reason,
        detail=detail[:300],
        decided_at=now,
    )


def _waiting_reason(
    interaction: Interaction, rule: InvitationRule, inactivity_elapsed: bool
) -> str | None:
    """Why the rule does not decide yet for this interaction, or None when it is due."""
    if rule.touchpoint_id and interaction.touchpoint_id != rule.touchpoint_id:
        return Reason.NOT_AT_TOUCHPOINT
    if rule.trigger == InvitationRule.Trigger.JOURNEY_END and interaction.journey.ended_at is None:
        return Reason.WAITING
    if rule.trigger == InvitationRule.Trigger.INACTIVITY and not inactivity_elapsed:
        return Reason.WAITING
    return None


def send_time(
    rule: InvitationRule, *, interaction: Interaction, channel: str, now: datetime
) -> datetime:
    """After the rule's delay, and out of the quiet hours for SMS (and e-mail if the rule says so)."""
    base = max(now, interaction.occurred_at + timedelta(minutes=rule.delay_minutes))
    if channel == "sms" or rule.quiet_hours_for_email:
        return coordination.next_send_time(base, start=rule.quiet_start, end=rule.quiet_end)
    return base


def plan_invitations(
    *, interaction_ids: list[int], inactivity_elapsed: bool = False, now: datetime | None = None
) -> list[InvitationDecision]:
    """Decide for each interaction; safe to run twice, also at once (an interaction decided before is skipped)."""
    now = now or timezone.now()
    interactions = list(
        Interaction.objects.filter(pk__in=interaction_ids)
        .select_related("journey__journey_type", "customer")
        .order_by("occurred_at", "pk")
    )
    if not interactions:
        return []
    rules = RuleBook(
        {i.organisation_id for i in interactions}
        | {i.journey.journey_type.owner_id for i in interactions}
    )
    with transaction.atomic():
        decisions = _decide_locked(interactions, rules, inactivity_elapsed, now)
        # Decided now or before: off the sweeper's list, in the same transaction as the decisions.
        UnplannedInteraction.objects.filter(
            interaction_id__in=[i.pk for i in interactions]
        ).delete()
        return decisions


def unplanned(*, recorded_before: datetime, limit: int = 500) -> list[int]:
    """Interactions recorded before a moment that still have no decision (for the sweeper)."""
    return list(
        UnplannedInteraction.objects.filter(recorded_at__lt=recorded_before)
        .order_by("recorded_at")
        .values_list("interaction_id", flat=True)[:limit]
    )


def _undecided(interactions: list[Interaction]) -> list[Interaction]:
    """Interactions without a final decision; read under the customers' locks, so two workers
    planning the same interactions cannot both decide."""
    decided = set(
        InvitationDecision.objects.filter(interaction_id__in=[i.pk for i in interactions])
        .exclude(outcome=Outcome.WAITING)
        .values_list("interaction_id", flat=True)
    )
    return [i for i in interactions if i.pk not in decided]


def _decide_locked(
    interactions: list[Interaction], rules: RuleBook, inactivity_elapsed: bool, now: datetime
) -> list[InvitationDecision]:
    customer_ids = sorted({i.customer_id for i in interactions})
    customers = list(
        Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk")
    )
    interactions = _undecided(interactions)
    if not interactions:
        return []
    chain_ids = {c.chain_id for c in customers}
    policies = {chain_id: policy_for(chain_id) for chain_id in chain_ids}
    facts: dict[int, coordination.CustomerFacts] = {}
    for chain_id, policy in policies.items():
        chain_customers = [c for c in customers if c.chain_id == chain_id]
        facts.update(
            _load_facts(
                chain_customers, policy, now, journey_ids={i.journey_id for i in interactions}
            )
        )
    decisions: list[InvitationDecision] = []
    waiting: list[tuple[Interaction, InvitationRule]] = []
    survey_versions = SurveyVersions()
    contacts = ContactBook(customers)
    for interaction in interactions:
        rule = rules.rule_for(interaction)
        if rule is None:
            decisions.append(_decision(interaction, None, Outcome.NOT_INVITED, Reason.NO_RULE, now))
            continue
        reason = _waiting_reason(interaction, rule, inactivity_elapsed)
        if reason == Reason.NOT_AT_TOUCHPOINT:
            decisions.append(_decision(interaction, rule, Outcome.NOT_INVITED, reason, now))
            continue
        if reason == Reason.WAITING:
            decisions.append(_decision(interaction, rule, Outcome.WAITING, reason, now))
            waiting.append((interaction, rule))
            continue
        customer_facts = facts[interaction.customer_id]
        # Reachable with the details the inviting organisation may use (customers/contacts.py).
        details = contacts.details(
            interaction.customer,
            organisation_id=rule.organisation_id,
            owner_id=interaction.journey.journey_type.owner_id,
        )
        customer_facts.has_email, customer_facts.has_phone = details.has_email, details.has_phone
        decisions.append(
            _decide_one(
                interaction,
                rule,
                policies[interaction.customer.chain_id],
                customer_facts,
                now,
                survey_versions,
            )
        )
    new_invitations = [d.invitation for d in decisions if d.invitation is not None]
    Invitation.objects.bulk_create(new_invitations)
    InvitationDecision.objects.bulk_create(
        decisions
    )  # takes the invitations' new ids from the objects
    transaction.on_commit(lambda: _after_commit(new_invitations, waiting))
    return decisions


def _decide_one(
    interaction: Interaction,
    rule: InvitationRule,
    policy: coordination.Policy,
    facts: coordination.CustomerFacts,
    now: datetime,
    survey_versions: "SurveyVersions",
) -> InvitationDecision:
    verdict = coordination.decide(
        policy=policy,
        facts=facts,
        now=now,
        journey_id=interaction.journey_id,
        channel=rule.channel,
        fallback_channel=rule.fallback_channel,
        sample_percent=rule.sampling_percent,
        sample_key=f"{interaction.customer.key}:{interaction.journey.external_id}:{rule.pk}",
    )
    if not verdict.invite:
        return _decision(
            interaction, rule, Outcome.NOT_INVITED, verdict.reason, now, verdict.detail
        )
    survey_id = survey_versions.current(rule.survey_id)
    if survey_id is None:
        return _decision(
            interaction,
            rule,
            Outcome.NOT_INVITED,
            Reason.NO_RULE,
            now,
            "the rule's survey is not published yet",
        )
    send_after = send_time(rule, interaction=interaction, channel=verdict.channel, now=now)
    # Saved in bulk with the decisions by the caller.
    invitation = Invitation(
        organisation_id=rule.organisation_id,
        survey_id=survey_id,
        customer_id=interaction.customer_id,
        journey_id=interaction.journey_id,
        interaction=interaction,
        rule=rule,
        channel=verdict.channel,
        send_after=send_after,
        expires_at=send_after + timedelta(days=rule.valid_days),
    )
    facts.record_invitation(at=send_after, journey_id=interaction.journey_id)
    return _decision(
        interaction,
        rule,
        Outcome.INVITED,
        Reason.INVITED,
        now,
        f"{verdict.channel} at {send_after:%Y-%m-%d %H:%M} UTC",
        invitation,
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
        self._seen: dict[int, int] = {}

    def current(self, survey_id: int) -> int | None:
        if survey_id not in self._seen:
            self._seen[survey_id] = current_version_id(survey_id)
        return self._seen[survey_id]


def _after_commit(
    invitations: list[Invitation], waiting: list[tuple[Interaction, InvitationRule]]
) -> None:
    from cxloop.surveys.tasks import check_inactivity_task, send_invitations_task

    # One task per send time, not per invitation: a batch of a thousand is one queue row.
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for invitation in invitations:
        by_time[invitation.send_after].append(invitation.pk)
    for when, ids in by_time.items():
        enqueue_at(send_invitations_task, when, ids)
    for interaction, rule in waiting:
        if rule.trigger == InvitationRule.Trigger.INACTIVITY:
            due = interaction.occurred_at + timedelta(hours=rule.inactivity_hours)
            enqueue_at(check_inactivity_task, due, interaction.pk)


def enqueue_at(task, when: datetime, *args) -> None:
    """Enqueue now, or for later when the backend can defer (the database queue can)."""
    if when > timezone.now() and task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(*args)
    else:
        task.enqueue(*args)


def check_inactivity(
    *, interaction_id: int, now: datetime | None = None
) -> list[InvitationDecision]:
    """Once the quiet period has passed: if this is still the journey's latest interaction, decide for it."""
    now = now or timezone.now()
    interaction = (
        Interaction.objects.filter(pk=interaction_id)
        .select_related("journey__journey_type")
        .first()
    )
    if interaction is None:
        return []
    rule = RuleBook(
        {interaction.organisation_id, interaction.journey.journey_type.owner_id}
    ).rule_for(interaction)
    if rule is None or rule.trigger != InvitationRule.Trigger.INACTIVITY:
        return []
    if now < interaction.occurred_at + timedelta(hours=rule.inactivity_hours):
        return []
    latest = (
        interaction.journey.interactions.order_by("-occurred_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != interaction.pk:
        return []
    return plan_invitations(interaction_ids=[interaction.pk], inactivity_elapsed=True, now=now)


def waiting_for_inactivity(*, now: datetime) -> list[int]:
    """Interactions whose inactivity rule is due and that nobody decided for yet (for the sweeper)."""
    waiting = (
        InvitationDecision.objects.filter(
            outcome=Outcome.WAITING, rule__trigger=InvitationRule.Trigger.INACTIVITY
        )
        .exclude(
            interaction__invitation_decisions__outcome__in=[Outcome.INVITED, Outcome.NOT_INVITED]
        )
        .values_list("interaction_id", "interaction__occurred_at", "rule__inactivity_hours")
    )
    return sorted({iid for iid, at, hours in waiting if at + timedelta(hours=hours) <= now})
