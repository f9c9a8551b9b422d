"""Whose contact details a message uses: a pure rule over the details each organisation supplied.

Contact details belong to the organisation that supplied them. When organisation S messages a
customer (an invitation under S's rule, S's case's "customer informed", S's reminder), each of
e-mail, phone and language comes from the first of:

1. S's own details;
2. the journey owner's details, only if S is a partner and the chain allows partners to use the
   owner's details (`ContactSharing.partners_use_owner_details`, off by default);
3. the customer's unattributed details (recorded before details were kept per organisation, or by
   the demo or an administrator), which no API key or import can change.

A partner's details are never used for another organisation's messages, so no key can redirect
them. An address marked invalid (it bounced) is skipped, and the next candidate is tried.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Supplied(Protocol):
    """Contact details as an organisation (or nobody) supplied them: a CustomerContact or a Customer."""

    email: str
    phone: str
    language: str
    email_invalid_at: datetime | None
    phone_invalid_at: datetime | None


@dataclass(frozen=True)
class Details:
    """The details a message of one organisation uses; empty strings when there are none."""

    email: str = ""
    phone: str = ""
    language: str = "nl"

    @property
    def has_email(self) -> bool:
        return bool(self.email)

    @property
    def has_phone(self) -> bool:
        return bool(self.phone)


def candidates(
    *,
    own: Supplied | None,
    owner: Supplied | None,
    unattributed: Supplied | None,
    is_owner: bool,
    partners_use_owner_details: bool,
) -> list[Supplied]:
    """The details to try, in order, for a message of one organisation."""
    ordered = [own]
    if not is_owner and partners_use_owner_details:
        ordered.append(owner)
    ordered.append(unattributed)
    return [c for c in ordered if c is not None]


def resolve(ordered: list[Supplied], *, default_language: str = "nl") -> Details:
    """Each field from the first candidate that has a usable value."""
    email = next((c.email for c in ordered if c.email and c.email_invalid_at is None), "")
    phone = next((c.phone for c in ordered if c.phone and c.phone_invalid_at is None), "")
    language = next((c.language for c in ordered if c.language), default_language)
    return Details(email=email, phone=phone, language=language)
