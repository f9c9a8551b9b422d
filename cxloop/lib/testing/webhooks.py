"""A real HTTP server in the test process, to read what cxloop posted to a webhook endpoint."""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cxloop.lib.testing.smtp import free_port


@dataclass
class Received:
    method: str
    path: str
    headers: Message
    body: bytes
    status: int


@dataclass
class Receiver:
    host: str
    port: int
    # Answers for the next requests, in order; once used up, every request gets 200.
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(body)

        def do_GET(self) -> None:  # noqa: N802 - recorded too, to catch a redirect followed as GET
            self._answer(b"")

        def _answer(self, body: bytes) -> None:
            status = receiver.next_status()
            with receiver.lock:
                receiver.requests.append(
                    Received(self.command, self.path, self.headers, body, status)
                )
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler


@contextmanager
def http_receiver(*, statuses: Iterable[int] = (), port: int | None = None) -> Iterator[Receiver]:
    """Run an HTTP server on a (free) loopback port for the block, answering with `statuses` then 200."""
    receiver = Receiver(host="127.0.0.1", port=port or free_port(), statuses=list(statuses))
    server = ThreadingHTTPServer((receiver.host, receiver.port), _handler_for(receiver))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
