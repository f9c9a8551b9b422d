"""A case's history, written in one place: every step is a CaseEvent with who took it, and the
steps other systems hear of (opened, escalated, closed) go to the organisation's webhooks.

The audit log holds no entries for case work, on purpose: every step a person takes on a case is
already a CaseEvent with its actor, time, note and data, written in the same transaction, and the
case page shows them. Looking at a case is audited (followup.views.case_detail).
"""

from datetime import datetime

from django.contrib.auth.models import User

from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.orgs.models import ApiKey

# Who takes a step on a case: a person, or an organisation's system through its API key.
CaseActor = User | ApiKey


def record(
    case: FollowUpCase,
    kind: str,
    actor: CaseActor | None,
    at: datetime,
    *,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """One step; `actor` is the person, the organisation's API key, or None for cxloop itself."""
    if isinstance(actor, ApiKey):
        return CaseEvent.objects.create(
            case=case, kind=kind, at=at, api_key=actor, note=note, data=data or {}
        )
    return CaseEvent.objects.create(
        case=case, kind=kind, at=at, actor=actor, note=note, data=data or {}
    )


def reminded(case: FollowUpCase, *, due: datetime, at: datetime) -> CaseEvent:
    """The assignee was reminded that the case is due soon."""
    return record(case, CaseEvent.Kind.REMINDED, None, at, data={"due_at": due.isoformat()})


def escalated(case: FollowUpCase, *, level: int, recipients: list[str], at: datetime) -> CaseEvent:
    """The overdue case went one layer up; the organisation's webhooks hear of it."""
    event = record(
        case, CaseEvent.Kind.ESCALATED, None, at, data={"level": level, "to": recipients}
    )
    notify_webhooks(case, "case.escalated")
    return event


def notify_webhooks(case: FollowUpCase, event: str) -> None:
    """Tell the organisation's webhooks, when the webhooks app is installed."""
    from django.apps import apps

    if not apps.is_installed("cxloop.webhooks"):
        return
    from cxloop.webhooks.services import emit

    emit(organisation=case.organisation, event=event, payload=case_payload(case))


def case_payload(case: FollowUpCase) -> dict:
    """The case as webhooks describe it (no personal data beyond the pseudonymous customer key)."""
    return {
        "case_id": case.pk,
        "status": case.status,
        "priority": case.priority,
        "reason": case.reason,
        "organisation": case.organisation.slug,
        "unit": case.unit.slug if case.unit else None,
        "assignee": case.assignee.code if case.assignee else None,
        "customer_key": case.response.customer.key,
        "nps": case.response.nps,
        "opened_at": case.opened_at.isoformat(),
        "due_at": case.due_at.isoformat(),
        "escalation_level": case.escalation_level,
        "closed_reason": case.closed_reason,
    }
