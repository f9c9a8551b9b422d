"""Which customer a row is about: the `customer_id` of an audit entry, so that erasure finds it."""

from cxloop.messaging.models import OutboxMessage

# purpose → how the message's subject_id leads to its customer
_INVITATION = ("invitation", "reminder")
_RESPONSE = ("compliment",)
_CASE = ("customer_informed", "case_assigned", "case_reminder", "case_escalated")


def customer_of_message(message: OutboxMessage) -> int | None:
    """The customer a message was sent to or is about (a case, a compliment), or None (a digest)."""
    from cxloop.followup.models import FollowUpCase
    from cxloop.responses.models import Response
    from cxloop.surveys.models import Invitation

    if message.subject_id is None:
        return None
    if message.purpose in _INVITATION:
        invitations = Invitation.objects.filter(pk=message.subject_id)
        return invitations.values_list("customer_id", flat=True).first()
    if message.purpose in _RESPONSE:
        responses = Response.objects.filter(pk=message.subject_id)
        return responses.values_list("customer_id", flat=True).first()
    if message.purpose in _CASE:
        cases = FollowUpCase.objects.filter(pk=message.subject_id)
        return cases.values_list("response__customer_id", flat=True).first()
    return None
