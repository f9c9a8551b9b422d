"""API shapes of the privacy operations that cxloop/customers/api.py offers under /api/customers/."""

from datetime import datetime
from typing import Any

from ninja import Schema


class CustomerExportOut(Schema):
    """Everything the calling organisation holds about the customer (docs/privacy.md)."""

    format: str
    organisation: str
    chain: str
    customer: dict[str, Any]
    journeys: list[dict[str, Any]]
    interactions: list[dict[str, Any]]
    invitation_decisions: list[dict[str, Any]]
    invitations: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    followup_cases: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    webhook_deliveries: list[dict[str, Any]]
    text_analyses: list[dict[str, Any]]
    event_log_events: list[dict[str, Any]]
    access_log: list[dict[str, Any]]


class ErasureReceiptOut(Schema):
    """The receipt of an erasure: never the key, a keyed hash of it, and the rows per table."""

    receipt: int
    erased_at: datetime
    organisation: str
    customer_hash: str
    counts: dict[str, dict[str, int]]
