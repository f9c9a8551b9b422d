"""SMS gateways: a small interface, and the default that keeps text messages in the outbox.

A gateway is a class with `send(*, to, text, sender) -> bool`: True when the message went
to a real network, False when it was only kept. Raise messaging.services.PermanentSendError
for a number that can never be reached; any other exception is retried with backoff.
Point CXLOOP_SMS_GATEWAY at your provider's class to send for real.
"""


class OutboxOnlyGateway:
    """Sends nothing: the message stays readable in the outbox (the embedded default)."""

    def send(self, *, to: str, text: str, sender: str) -> bool:
        return False
