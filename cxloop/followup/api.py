"""API: the cases your organisation handles — list, read, change status, add a note, reassign.

The rules are the case page's (`followup.services`): a key of an organisation works the cases
that organisation handles, as its admin does on /cases/; a step that the page refuses (close
before resolving, a root cause of another organisation) is refused here with 409 or 422. Each
step is in the case's history with the key as its actor.
"""

from datetime import datetime
from typing import Literal

from django.db.models import Max, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from cxloop.followup import services
from cxloop.followup.models import CaseEvent, FollowUpCase, FollowUpQueue, RootCause
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.access import api_key_of
from cxloop.orgs.models import ApiKey, Employee

router = Router()
CaseStatus = FollowUpCase.Status


class CaseOut(Schema):
    id: int
    status: str
    priority: str
    reason: str
    customer_key: str
    nps: int | None
    comment: str
    unit: str | None = Field(description="The handling unit's code")
    assignee: str | None = Field(description="The assignee's employee code")
    queue: str | None
    opened_at: datetime
    first_contact_due_at: datetime | None
    due_at: datetime
    first_contact_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    closed_reason: str
    root_cause: str | None
    action_taken: str
    escalation_level: int
    updated_at: datetime = Field(description="The time of the case's latest step")


class EventOut(Schema):
    kind: str
    at: datetime
    by: str = Field(description="A person's name, 'API' for a key's step, or '' for cxloop itself")
    note: str
    data: dict


class CaseDetailOut(CaseOut):
    events: list[EventOut]


class CasePage(Schema):
    items: list[CaseOut]
    next_after_id: int | None


class StatusIn(Schema):
    status: Literal["in_progress", "waiting", "resolved", "closed"] = Field(
        description="in_progress starts work, resumes a waiting case or reopens a resolved or closed "
        "one (with a note); resolved needs root_cause and action_taken; closed needs a resolved case"
    )
    note: str = Field("", max_length=5000)
    root_cause: str = Field("", max_length=200, description="The name of one of your root causes")
    action_taken: str = Field("", max_length=5000)


class NoteIn(Schema):
    note: str = Field(min_length=1, max_length=5000)


class ReassignIn(Schema):
    employee: str = Field("", max_length=64, description="The employee code to hand the case to")
    queue: str = Field("", max_length=200, description="Or a queue's name: its next member gets it")
    note: str = Field("", max_length=5000)


def _cases(api_key: ApiKey):
    return (
        FollowUpCase.objects.filter(organisation=api_key.organisation)
        .select_related("response__customer", "unit", "assignee", "queue", "root_cause")
        .annotate(updated_at=Max("events__at"))
    )


def _out(case: FollowUpCase) -> dict:
    return {
        "id": case.pk,
        "status": case.status,
        "priority": case.priority,
        "reason": case.reason,
        "customer_key": case.response.customer.key,
        "nps": case.response.nps,
        "comment": case.response.comment,
        "unit": case.unit.slug if case.unit else None,
        "assignee": case.assignee.code if case.assignee else None,
        "queue": case.queue.name if case.queue else None,
        "opened_at": case.opened_at,
        "first_contact_due_at": case.first_contact_due_at,
        "due_at": case.due_at,
        "first_contact_at": case.first_contact_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "closed_reason": case.closed_reason,
        "root_cause": case.root_cause.name if case.root_cause else None,
        "action_taken": case.action_taken,
        "escalation_level": case.escalation_level,
        "updated_at": getattr(case, "updated_at", None) or case.opened_at,
    }


def _by(event: CaseEvent) -> str:
    if event.api_key_id:
        return "API"
    if event.actor is None:
        return ""
    employee = getattr(event.actor, "employee", None)
    return event.actor.get_full_name() or (
        employee.name if employee else event.actor.get_username()
    )


def _detail(case_id: int, api_key: ApiKey) -> dict:
    case = _cases(api_key).get(pk=case_id)
    events = CaseEvent.objects.filter(case=case).select_related("actor__employee")
    return {
        **_out(case),
        "events": [
            {"kind": e.kind, "at": e.at, "by": _by(e), "note": e.note, "data": e.data}
            for e in events
        ],
    }


@router.get("", response=CasePage, operation_id="cases_list")
def list_cases(
    request: HttpRequest,
    status: str = "",
    open: bool | None = None,
    updated_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 100,
):
    """Your organisation's cases in id order; `open=true` for the open ones, `updated_since` for
    the cases with a step since then (incremental loads); pass `next_after_id` back as `after_id`."""
    api_key = api_key_of(request)
    limit = max(1, min(limit, 1000))
    cases = _cases(api_key).filter(pk__gt=after_id)
    if status:
        cases = cases.filter(status=status)
    if open is not None:
        closed = Q(status=CaseStatus.CLOSED)
        cases = cases.exclude(closed) if open else cases.filter(closed)
    if updated_since is not None:
        cases = cases.filter(updated_at__gte=updated_since)
    rows = list(cases.order_by("pk")[: limit + 1])
    page = rows[:limit]
    return {
        "items": [_out(c) for c in page],
        "next_after_id": page[-1].pk if len(rows) > limit else None,
    }


def _find(api_key: ApiKey, case_id: int) -> FollowUpCase | None:
    return FollowUpCase.objects.filter(organisation=api_key.organisation, pk=case_id).first()


NOT_FOUND = "no case with this id is handled by your organisation"


@router.get("/{case_id}", response={200: CaseDetailOut, 404: ErrorOut}, operation_id="cases_read")
def read_case(request: HttpRequest, case_id: int):
    """One case with its history."""
    api_key = api_key_of(request)
    if _find(api_key, case_id) is None:
        return refuse(404, NOT_FOUND)
    return Status(200, _detail(case_id, api_key))


def _change(case: FollowUpCase, payload: StatusIn, api_key: ApiKey) -> None:
    key, note = api_key, payload.note
    if payload.status == "waiting":
        services.wait_for_customer(case=case, actor=key, note=note)
    elif payload.status == "resolved":
        root_cause = RootCause.objects.filter(
            organisation=case.organisation, name=payload.root_cause, is_active=True
        ).first()
        if root_cause is None:
            raise _Invalid(
                {"root_cause": [f"{payload.root_cause!r} is not one of your active root causes"]}
            )
        services.resolve_case(
            case=case, actor=key, root_cause=root_cause, action_taken=payload.action_taken
        )
    elif payload.status == "closed":
        services.close_case(case=case, actor=key, note=note)
    elif case.status == CaseStatus.WAITING:
        services.resume(case=case, actor=key, note=note)
    elif case.status in (CaseStatus.RESOLVED, CaseStatus.INFORMED, CaseStatus.CLOSED):
        services.reopen_case(case=case, actor=key, note=note)
    else:
        services.start_work(case=case, actor=key, note=note)


class _Invalid(Exception):
    def __init__(self, errors: dict):
        super().__init__("invalid")
        self.errors = errors


@router.post(
    "/{case_id}/status",
    response={200: CaseDetailOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    operation_id="cases_change_status",
)
def change_status(request: HttpRequest, case_id: int, payload: StatusIn):
    """Move the case on, as the case page does; a step the case's state does not allow is a 409."""
    api_key = api_key_of(request)
    case = _find(api_key, case_id)
    if case is None:
        return refuse(404, NOT_FOUND)
    try:
        _change(case, payload, api_key)
    except _Invalid as invalid:
        return refuse(422, "the case was not changed", invalid.errors)
    except services.CaseError as refused:
        return refuse(409, str(refused))
    return Status(200, _detail(case_id, api_key))


@router.post(
    "/{case_id}/notes",
    response={200: CaseDetailOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="cases_add_note",
)
def add_note(request: HttpRequest, case_id: int, payload: NoteIn):
    """Add a note to the case's history."""
    api_key = api_key_of(request)
    case = _find(api_key, case_id)
    if case is None:
        return refuse(404, NOT_FOUND)
    try:
        services.add_note(case=case, actor=api_key, note=payload.note)
    except services.CaseError as refused:
        return refuse(409, str(refused))
    return Status(200, _detail(case_id, api_key))


@router.post(
    "/{case_id}/assignee",
    response={200: CaseDetailOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    operation_id="cases_reassign",
)
def reassign(request: HttpRequest, case_id: int, payload: ReassignIn):
    """Hand the case to one of your employees, or to one of your queues."""
    api_key = api_key_of(request)
    case = _find(api_key, case_id)
    if case is None:
        return refuse(404, NOT_FOUND)
    organisation = api_key.organisation
    employee = queue = None
    if payload.employee:
        employee = Employee.objects.filter(
            organisation=organisation, code=payload.employee, left_at__isnull=True
        ).first()
        if employee is None:
            return refuse(
                422,
                "the case was not reassigned",
                {"employee": [f"{payload.employee!r} is not one of your current employees"]},
            )
    elif payload.queue:
        queue = FollowUpQueue.objects.filter(organisation=organisation, name=payload.queue).first()
        if queue is None:
            return refuse(
                422,
                "the case was not reassigned",
                {"queue": [f"{payload.queue!r} is not one of your queues"]},
            )
    else:
        return refuse(
            422,
            "the case was not reassigned",
            {"employee": ["give an employee code or a queue's name"]},
        )
    try:
        services.reassign_case(
            case=case, actor=api_key, assignee=employee, queue=queue, note=payload.note
        )
    except services.CaseError as refused:
        return refuse(409, str(refused))
    return Status(200, _detail(case_id, api_key))
