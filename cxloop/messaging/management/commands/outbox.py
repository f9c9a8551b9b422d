"""`cxloop outbox show ID`: one outbox message as its recipient gets it, links included.

The outbox stores no usable link (messaging/links.py). Whoever runs this command on the server
already holds the secret key the links are made with, so showing them here gives nothing away
that the server's operator could not make anyway; the audit log records each time it is used.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.audit.services import record_view
from cxloop.messaging.links import LinkError
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent


class Command(BaseCommand):
    help = "Show an outbox message as it is sent, with its survey and opt-out links (for trying cxloop out)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print one message with its real links")
        show.add_argument("id", type=int, help="the message's number, as in /outbox/<id>/")

    def handle(self, *args, action: str, id: int, **options) -> None:
        message = OutboxMessage.objects.select_related("organisation").filter(pk=id).first()
        if message is None:
            raise CommandError(f"no outbox message {id}")
        try:
            sent = as_sent(message)
        except LinkError as error:
            raise CommandError(str(error)) from None
        record_view(
            actor=None,
            action="outbox.message_shown_with_links",
            target=message.organisation or message,
            organisation=message.organisation,
            customer_id=(message.links or {}).get("opt_out"),
            detail=f"outbox message {message.pk}",
        )
        self.stdout.write(f"To: {message.recipient}\nSubject: {sent.subject}\n\n{sent.text}")
