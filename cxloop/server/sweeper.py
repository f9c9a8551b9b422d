"""The sweeper: finds work that is due or was left behind, so that nothing is lost on a crash.

Tasks are the fast path; the sweeper is the safety net. It picks up invitations whose send
time has come, reminders that are due, journeys whose inactivity period ended, retries
that are due, messages and tasks whose worker died (server.services: leases), interactions
that were never planned, follow-up rules that are due (a tapped score's once its taps are
final) and expired invitations, whose unfinished response is closed and counted. Every step it
calls is idempotent, so several workers may sweep at once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from cxloop.dashboards import rollups
from cxloop.digest import services as digest
from cxloop.followup import services as followup
from cxloop.messaging import services as messaging
from cxloop.privacy import tasks as privacy
from cxloop.responses import services as responses
from cxloop.server import services as leases
from cxloop.surveys import planning
from cxloop.surveys import services as surveys
from cxloop.surveys.models import Invitation
from cxloop.text import services as text
from cxloop.webhooks import services as webhooks
from cxloop.webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)
BATCH = 500
# Waits for a quiet journey are only decided here (no task each), in one batch: 2,000 took 1.3 s
# against a million decisions, so a campaign's burst coming due 48 h later keeps up.
QUIET_BATCH = 2000
# The planning task normally decides within seconds; only what it left longer than this is the
# sweeper's, so that a queue busy with a large import is not planned twice over.
PLANNING_GRACE = timedelta(minutes=2)


@dataclass
class SweepReport:
    released_claims: int = 0
    tasks_requeued: int = 0
    interactions_planned: int = 0
    invitations_sent: int = 0
    reminders_sent: int = 0
    inactivity_decided: int = 0
    messages_delivered: int = 0
    invitations_expired: int = 0
    responses_closed: int = 0
    rules_applied: int = 0
    cases_reminded: int = 0
    cases_escalated: int = 0
    webhooks_delivered: int = 0
    responses_rolled_up: int = 0
    digests_queued: int = 0
    texts_analysed: int = 0
    texts_embedded: int = 0


def sweep(*, now: datetime | None = None) -> SweepReport:
    """Run every due step once."""
    now = now or timezone.now()
    report = SweepReport()
    report.released_claims = messaging.release_stale_claims(now=now)
    report.released_claims += webhooks.release_stale_claims(now=now)
    report.tasks_requeued = leases.recover_abandoned_tasks(now=now)
    report.interactions_planned = _plan_unplanned(now)
    with messaging.delivered_together():  # one delivery task per hundred, not one per message
        for invitation_id in _due_invitations(now):
            if (
                surveys.send_invitation(invitation_id=invitation_id, now=now).status
                != Invitation.Status.SCHEDULED
            ):
                report.invitations_sent += 1
    for invitation_id in _due_reminders(now):
        if surveys.send_reminder(invitation_id=invitation_id, now=now).reminded_at:
            report.reminders_sent += 1
    report.inactivity_decided = len(planning.decide_quiet_journeys(now=now, limit=QUIET_BATCH))
    # `now` only decides what is due: each claim's lease starts when it is taken (the sweep may be long).
    report.messages_delivered = len(
        messaging.deliver_messages(
            message_ids=messaging.due_messages(now=now, limit=BATCH), now=now
        )
    )
    # Fewer per sweep than messages: each post may wait for its timeout.
    for delivery_id in webhooks.due_deliveries(now=now, limit=100):
        delivery = webhooks.deliver(delivery_id=delivery_id, now=now)
        if delivery is not None and delivery.status == WebhookDelivery.Status.DELIVERED:
            report.webhooks_delivered += 1
    report.invitations_expired, report.responses_closed = responses.close_expired(
        now=now, limit=BATCH
    )
    report.rules_applied = _apply_due_rules(now)
    for response_id in rollups.uncounted(limit=BATCH):
        report.responses_rolled_up += int(rollups.add_response(response_id=response_id))
    # The task after each submit is the normal path; look back two days for what it missed.
    report.texts_analysed = text.analyse_pending(limit=BATCH, since=now - timedelta(days=2))
    report.texts_embedded = text.embed_recent(now=now)
    report.digests_queued = digest.send_daily_digests(now=now)
    escalation = followup.remind_and_escalate(now=now)
    report.cases_reminded, report.cases_escalated = escalation.reminded, escalation.escalated
    privacy.daily_purge(now=now)
    return report


def _plan_unplanned(now: datetime) -> int:
    """Decide for interactions whose planning task was lost; one that fails must not hold up the rest."""
    unplanned = planning.unplanned(recorded_before=now - PLANNING_GRACE, limit=BATCH)
    if not unplanned:
        return 0
    try:
        return len(planning.plan_invitations(interaction_ids=unplanned, now=now))
    except Exception:  # noqa: BLE001 - find the one that fails, plan the others
        logger.exception(
            "planning %s interactions at once failed; planning them one by one", len(unplanned)
        )
    decided = 0
    for interaction_id in unplanned:
        try:
            decided += len(planning.plan_invitations(interaction_ids=[interaction_id], now=now))
        except Exception:  # noqa: BLE001 - it stays on the list and is logged every sweep
            logger.exception("planning interaction %s failed", interaction_id)
    return decided


def _apply_due_rules(now: datetime) -> int:
    """Follow-up rules whose time has come; one response that fails must not hold up the rest."""
    applied = 0
    for response_id in responses.rules_due(now=now, limit=BATCH):
        try:
            applied += int(responses.apply_due_rules(response_id=response_id, now=now))
        except Exception:  # noqa: BLE001 - it stays due and is logged every sweep
            logger.exception("applying the follow-up rules to response %s failed", response_id)
    return applied


def _due_invitations(now: datetime) -> list[int]:
    return list(
        Invitation.objects.filter(status=Invitation.Status.SCHEDULED, send_after__lte=now)
        .order_by("send_after")
        .values_list("pk", flat=True)[:BATCH]
    )


def _due_reminders(now: datetime) -> list[int]:
    return list(
        Invitation.objects.filter(
            status__in=[Invitation.Status.SENT, Invitation.Status.OPENED],
            reminded_at__isnull=True,
            reminder_due_at__lte=now,
            expires_at__gt=now,
        )
        .exclude(response__submitted_at__isnull=False)  # a tapped score counts: no reminder
        .values_list("pk", flat=True)[:BATCH]
    )
