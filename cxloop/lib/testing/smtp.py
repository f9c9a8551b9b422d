"""A real SMTP server in the test process (aiosmtpd), to read what cxloop delivered."""

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)


class _Handler:
    def __init__(self, mailbox: Mailbox, reject: set[str], on_data: Callable[[], None] | None):
        self.mailbox = mailbox
        self.reject = reject
        self.on_data = on_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.on_data is not None:
            # While the sender waits for the reply; in a thread, so that it may use the database.
            await asyncio.to_thread(self.on_data)
        self.mailbox.messages.append(
            message_from_bytes(envelope.original_content or envelope.content)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(
    *,
    reject: set[str] | None = None,
    port: int | None = None,
    on_data: Callable[[], None] | None = None,
) -> Iterator[Mailbox]:
    """Run an SMTP server on a (free) loopback port for the block; it refuses the addresses in `reject`.

    `on_data` runs in the server's thread when a message's content arrives, before it is accepted."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(host="127.0.0.1", port=port or free_port())
    controller = Controller(
        _Handler(mailbox, reject or set(), on_data), hostname=mailbox.host, port=mailbox.port
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers: an SMTP server that hangs."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()
