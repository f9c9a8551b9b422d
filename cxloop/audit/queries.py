"""Reading the audit log: scoped to the organisations a privacy officer answers for."""

from datetime import datetime

from django.db.models import QuerySet

from cxloop.audit.models import AuditEntry
from cxloop.orgs.models import Organisation


def audit_entries(
    *,
    organisation: Organisation,
    kind: str = "",
    action: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    customer_id: int | None = None,
) -> QuerySet[AuditEntry]:
    """An organisation's audit entries, newest first, narrowed by the given filters."""
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("user", "api_key")
    if kind:
        entries = entries.filter(kind=kind)
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    if customer_id is not None:
        entries = entries.filter(customer_id=customer_id)
    return entries
