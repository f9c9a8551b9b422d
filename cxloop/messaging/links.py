"""Links that carry a token are never stored: a message keeps a marker, the worker puts the link in.

Whoever can read a survey link can answer as the customer, and an opt-out or digest-stop link acts
for its owner. So a stored message (the outbox, its page, a database dump, a backup) holds only a
marker such as `[[cxloop:survey]]` and, in `OutboxMessage.links`, the id the link is made from
(`{"survey": 12}`: invitation 12). The delivery worker renders the real link when it transmits
(messaging.services.as_sent); the outbox page shows a label such as "[survey link]".

An app registers each kind of link it puts in messages with `register_link` (in its AppConfig.ready).
"""

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise

MARKER = re.compile(r"\[\[cxloop:([a-z_]+)\]\]")


class LinkError(Exception):
    """A message's link cannot be made (its kind is unknown, or what it points at is gone)."""


@dataclass(frozen=True)
class LinkKind:
    make: Callable[[int], str | None]  # the object id → the full URL, or None when it is gone
    label: str | Promise  # what the outbox page shows instead


_kinds: dict[str, LinkKind] = {}


def register_link(kind: str, *, make: Callable[[int], str | None], label: str | Promise) -> None:
    """Let messages carry links of this kind; `make` builds the URL from the stored id at send time."""
    _kinds[kind] = LinkKind(make=make, label=label)


def marker(kind: str) -> str:
    """What a message body holds where the link of this kind goes."""
    return f"[[cxloop:{kind}]]"


def render(text: str, links: Mapping[str, int], made: dict[str, str] | None = None) -> str:
    """The text with each of the message's markers replaced by its real link (at transmission only).

    Pass the same `made` for the texts of one message: each link is made once for all of them."""
    made = {} if made is None else made

    def link(match: re.Match[str]) -> str:
        kind = match.group(1)
        if kind not in links:
            return match.group(0)  # not a link of this message: e.g. a customer typed the marker
        if kind not in made:
            if kind not in _kinds:
                raise LinkError(f"no link of kind {kind!r} is registered")
            url = _kinds[kind].make(links[kind])
            if url is None:
                raise LinkError(f"the {kind} link of this message points at something that is gone")
            made[kind] = url
        return made[kind]

    return MARKER.sub(link, text)


def display(text: str) -> str:
    """The stored text for reading in the outbox: every marker as its label, nothing usable."""

    def label(match: re.Match[str]) -> str:
        kind = _kinds.get(match.group(1))
        return f"[{kind.label if kind else match.group(1)}]"

    return MARKER.sub(label, text)


# Paths whose last part is a secret token; a log line keeps the path's start only.
TOKEN_PATHS = re.compile(r"(/(?:s|o|digest/stop|account/welcome)/)[^/\s?#\"']+")


def redact(text: str) -> str:
    """Blank the token in every survey, opt-out, digest-stop and set-password path of a text."""
    return TOKEN_PATHS.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter: no survey, opt-out or stop token reaches a log (Django logs 4xx paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
