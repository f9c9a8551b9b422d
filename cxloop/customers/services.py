"""Writes for customers: the global opt-out that holds for every partner of the chain."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cxloop.audit.services import Actor, record_chain_change
from cxloop.customers.models import Customer


@transaction.atomic
def opt_out_customer(
    *, customer: Customer, now: datetime | None = None, actor: Actor = None, detail: str = ""
) -> Customer:
    """Stop all feedback requests to a customer, from every partner, including those already queued."""
    from cxloop.messaging.models import OutboxMessage
    from cxloop.surveys.models import Invitation

    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.opted_out_at is None:
        customer.opted_out_at = now
        customer.save(update_fields=["opted_out_at"])
        # The opt-out binds every partner of the chain, so each one's audit log shows it.
        record_chain_change(
            chain_id=customer.chain_id, actor=actor, action="customer.opted_out", target=customer,
            before={"opted_out_at": None}, after={"opted_out_at": now}, customer_id=customer.pk, detail=detail,
        )
    invitation_ids = list(
        Invitation.objects.filter(customer=customer, status=Invitation.Status.SCHEDULED).values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=invitation_ids).update(
        status=Invitation.Status.CANCELLED, error="the customer opted out"
    )
    all_invitations = Invitation.objects.filter(customer=customer).values_list("pk", flat=True)
    OutboxMessage.objects.filter(
        purpose__in=["invitation", "reminder"], subject_id__in=list(all_invitations), status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.FAILED, error="the customer opted out")
    return customer
