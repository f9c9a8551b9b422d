"""Reads of the outbox for its pages."""

from django.db.models import QuerySet

from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.capabilities import Capability, User, everywhere, organisation_ids_where


def visible_messages(user: User) -> QuerySet[OutboxMessage] | None:
    """The messages of the organisations whose outbox the user may see; None when there are none."""
    messages = OutboxMessage.objects.select_related("organisation")
    if everywhere(user, Capability.VIEW_OUTBOX):
        return messages
    organisation_ids = organisation_ids_where(user, Capability.VIEW_OUTBOX)
    if not organisation_ids:
        return None
    return messages.filter(organisation_id__in=organisation_ids)
