"""Planning and sending invitations, and opening the survey link a customer received."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cxloop.journeys.models import Interaction
from cxloop.messaging.services import send_email
from cxloop.surveys.models import Invitation, InvitationRule

logger = logging.getLogger(__name__)


class SurveyLinkError(Exception):
    """A survey link that cannot be answered; `reason` is unknown, expired or used."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plan_invitations_after_commit(*, interaction_ids: list[int]) -> None:
    """Hand new interactions to the invitation rules once the current transaction commits."""
    from cxloop.surveys.tasks import plan_invitation_task

    def enqueue() -> None:
        for interaction_id in interaction_ids:
            plan_invitation_task.enqueue(interaction_id)

    transaction.on_commit(enqueue)


def matching_rule(*, interaction: Interaction) -> InvitationRule | None:
    """The active rule of the interaction's organisation for its journey type (specific first)."""
    rules = InvitationRule.objects.filter(
        Q(journey_type=interaction.journey.journey_type_id) | Q(journey_type=None),
        organisation_id=interaction.organisation_id,
        is_active=True,
    ).order_by("journey_type_id", "id")
    specific = [r for r in rules if r.journey_type_id is not None]
    return specific[0] if specific else next(iter(rules), None)


def plan_invitation(*, interaction_id: int) -> Invitation | None:
    """Create the invitation an interaction's rule asks for; safe to run twice."""
    interaction = Interaction.objects.select_related("customer", "journey").get(pk=interaction_id)
    existing = Invitation.objects.filter(interaction=interaction).first()
    if existing is not None:
        return existing
    customer = interaction.customer
    if customer.opted_out_at is not None or not customer.email:
        return None
    rule = matching_rule(interaction=interaction)
    if rule is None:
        return None
    send_after = max(timezone.now(), interaction.occurred_at) + timedelta(minutes=rule.delay_minutes)
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            interaction=interaction,
            defaults={
                "organisation_id": interaction.organisation_id,
                "survey_id": rule.survey_id,
                "customer": customer,
                "journey": interaction.journey,
                "send_after": send_after,
                "expires_at": send_after + timedelta(days=rule.valid_days),
            },
        )
        if created:
            transaction.on_commit(lambda: _enqueue_send(invitation))
    return invitation


def _enqueue_send(invitation: Invitation) -> None:
    from cxloop.surveys.tasks import send_invitation_task

    if invitation.send_after > timezone.now():
        send_invitation_task.using(run_after=invitation.send_after).enqueue(invitation.pk)
    else:
        send_invitation_task.enqueue(invitation.pk)


def survey_url(token: str) -> str:
    return settings.BASE_URL + reverse("survey", kwargs={"token": token})


def send_invitation(*, invitation_id: int) -> Invitation:
    """Send a scheduled invitation with a fresh single-use token; a second run sends nothing."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("customer", "organisation", "survey")
            .get(pk=invitation_id)
        )
        if invitation.status != Invitation.Status.SCHEDULED:
            return invitation
        now = timezone.now()
        if invitation.expires_at <= now:
            invitation.status = Invitation.Status.EXPIRED
            invitation.save(update_fields=["status"])
            return invitation
        token = secrets.token_urlsafe(32)
        invitation.token_hash = hash_token(token)
        invitation.status = Invitation.Status.SENT
        invitation.sent_at = now
        invitation.save(update_fields=["token_hash", "status", "sent_at"])
        # The message is recorded and handed to SMTP inside the transaction: if delivery
        # fails, the invitation stays scheduled and a retry sends it once.
        _deliver_invitation(invitation, token)
    return invitation


def _deliver_invitation(invitation: Invitation, token: str) -> None:
    customer = invitation.customer
    organisation = invitation.organisation
    url = survey_url(token)
    context = {
        "organisation": organisation,
        "url": url,
        "score_urls": [(score, f"{url}?nps={score}") for score in range(11)],
        "expires_at": invitation.expires_at,
    }
    with translation.override(customer.language):
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        text = render_to_string("surveys/email/invitation.txt", context)
        html = render_to_string("surveys/email/invitation.html", context)
    send_email(
        organisation=organisation,
        recipient=customer.email,
        subject=subject,
        text=text,
        html=html,
    )


def open_survey_link(*, token: str) -> Invitation:
    """The invitation behind a link, or SurveyLinkError saying why it cannot be answered."""
    invitation = (
        Invitation.objects.select_related("survey", "customer", "organisation", "interaction")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise SurveyLinkError("unknown")
    if invitation.status == Invitation.Status.ANSWERED:
        raise SurveyLinkError("used", invitation)
    if invitation.status == Invitation.Status.EXPIRED or invitation.expires_at <= timezone.now():
        raise SurveyLinkError("expired", invitation)
    if invitation.status == Invitation.Status.SENT:
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
            status=Invitation.Status.OPENED
        )
    return invitation
