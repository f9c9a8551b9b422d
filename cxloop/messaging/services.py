"""Sending messages: every one is recorded in the outbox, and delivered by SMTP when configured."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import Organisation


def sender_for(organisation: Organisation | None) -> tuple[str, str]:
    """From and reply-to addresses: the organisation's own, never a no-reply."""
    sender = (organisation.sender_email if organisation else "") or settings.DEFAULT_FROM_EMAIL
    reply_to = (organisation.reply_to_email if organisation else "") or sender
    return sender, reply_to


def smtp_configured() -> bool:
    return bool(settings.EMAIL_HOST)


def send_email(
    *, organisation: Organisation | None, recipient: str, subject: str, text: str, html: str = ""
) -> OutboxMessage:
    """Record an e-mail in the outbox and deliver it over SMTP if a server is configured.

    Delivery errors propagate, so a caller inside a transaction rolls back the record too.
    """
    sender, reply_to = sender_for(organisation)
    delivered = smtp_configured()
    message = OutboxMessage.objects.create(
        organisation=organisation,
        channel="email",
        sender=sender,
        recipient=recipient,
        reply_to=reply_to,
        subject=subject,
        body_text=text,
        body_html=html,
        status=OutboxMessage.Status.SENT if delivered else OutboxMessage.Status.STORED,
    )
    if delivered:
        email = EmailMultiAlternatives(
            subject=subject, body=text, from_email=sender, to=[recipient], reply_to=[reply_to]
        )
        if html:
            email.attach_alternative(html, "text/html")
        email.send(fail_silently=False)
    return message
