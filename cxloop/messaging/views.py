"""The outbox: what cxloop sent on an organisation's behalf, for its admins."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cxloop.audit.services import record_view
from cxloop.audit.subjects import customer_of_message
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.queries import visible_messages
from cxloop.messaging.services import as_stored


def _visible_messages(request: HttpRequest) -> QuerySet[OutboxMessage]:
    messages = visible_messages(request.user)
    if messages is None:
        raise Http404
    return messages


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The newest messages of the organisations the user administers."""
    return render(request, "messaging/outbox.html", {"outbox": _visible_messages(request)[:200]})


@login_required
def outbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    """One message as the recipient got it, except that its links show as labels: they carry tokens."""
    message = _visible_messages(request).filter(pk=pk).first()
    if message is None:
        raise Http404
    record_view(
        actor=request.user,
        action="message.viewed",
        target=message,
        organisation=message.organisation,
        customer_id=customer_of_message(message),
    )
    return render(
        request, "messaging/message.html", {"message": message, "shown": as_stored(message)}
    )
