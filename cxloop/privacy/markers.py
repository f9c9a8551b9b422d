"""The strings by which a customer can be recognised in places that do not point at them.

An outbox body, a digest quoting a comment, a webhook payload, an imported event log, an
admin log line: none has a foreign key to the customer, so an erasure finds them by what they
contain. Pure functions, tested without a database.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

# Shorter strings match too much unrelated text ("K-1" is inside "K-10", "Prima" in many comments).
MIN_KEY = 6
MIN_CONTACT = 6
MIN_TEXT = 16
# The admin log and some e-mails cut a text after this many characters.
PREFIX = 40


@dataclass(frozen=True)
class Markers:
    """The text to search for, in plain text columns and in JSON columns (as stored)."""

    text: tuple[str, ...]
    json: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.text or self.json)


def phone_variants(phone: str) -> set[str]:
    """The ways one phone number is written: as given, digits only, +31 and 06 forms."""
    phone = phone.strip()
    if not phone:
        return set()
    digits = re.sub(r"[^\d+]", "", phone)
    variants = {phone, digits}
    if digits.startswith("+31"):
        variants.add("0" + digits[3:])
    elif digits.startswith("0031"):
        variants |= {"0" + digits[4:], "+31" + digits[4:]}
    elif digits.startswith("0") and len(digits) == 10:
        variants.add("+31" + digits[1:])
    return {v for v in variants if len(re.sub(r"\D", "", v)) >= MIN_CONTACT}


def _written(value: str) -> set[str]:
    """A string as it may be stored: plain, HTML-escaped (templates) and JSON-escaped."""
    return {
        value,
        escape(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }


def build(
    *, key: str, emails: Iterable[str], phones: Iterable[str], texts: Iterable[str]
) -> Markers:
    """Markers for a customer: key, e-mail, phone and their free texts (whole and first 40 characters)."""
    plain: set[str] = set()
    quoted: set[str] = set()
    if len(key) >= MIN_KEY:
        plain |= _written(key)
    # In JSON a short key is still safe to find as a whole string value: "K-1" with its quotes.
    quoted |= {json.dumps(key), json.dumps(key, ensure_ascii=False)} if key else set()
    for email in emails:
        if len(email.strip()) >= MIN_CONTACT:
            plain |= _written(email.strip())
    for phone in phones:
        plain |= phone_variants(phone)
    for text in texts:
        text = text.strip()
        if len(text) < MIN_TEXT:
            continue
        plain |= _written(text)
        plain |= _written(text[:PREFIX].rstrip())
    plain = {marker for marker in plain if marker}
    return Markers(text=tuple(sorted(plain)), json=tuple(sorted(plain | quoted)))


def redact(value: str, markers: Markers) -> str:
    """The text with every marker replaced; longer markers first so that a prefix leaves no tail."""
    for marker in sorted(markers.text, key=len, reverse=True):
        value = re.sub(re.escape(marker), REDACTED, value, flags=re.IGNORECASE)
    return value


def mentions(value: str, markers: Markers) -> bool:
    """Whether a text holds any marker (case-insensitive, as the database searches)."""
    lowered = value.lower()
    return any(marker.lower() in lowered for marker in markers.text)


REDACTED = "[erased]"
