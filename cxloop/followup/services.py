"""Follow-up cases: opened by a rule from a response, worked by a lead, closed with a note."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.messaging.services import send_email
from cxloop.orgs.models import Employee, Unit
from cxloop.responses.models import Response

DETRACTOR_MAX = 6


class CaseError(Exception):
    """A step that the case's state or the input does not allow."""


def apply_followup_rules_after_commit(*, response_id: int) -> None:
    """Run the follow-up rules for a submitted response once its transaction commits."""
    from cxloop.followup.tasks import apply_followup_rules_task

    transaction.on_commit(lambda: apply_followup_rules_task.enqueue(response_id))


def responsible_lead(unit: Unit | None) -> Employee | None:
    """The lead of the unit, or of the nearest unit above it that has one."""
    while unit is not None:
        if unit.lead_id is not None:
            return unit.lead
        unit = unit.parent
    return None


def apply_followup_rules(*, response_id: int) -> FollowUpCase | None:
    """Open a case for a detractor (NPS 0–6); safe to run twice."""
    response = Response.objects.select_related("unit", "organisation").get(pk=response_id)
    if response.submitted_at is None or response.nps is None or response.nps > DETRACTOR_MAX:
        return None
    existing = FollowUpCase.objects.filter(response=response).first()
    if existing is not None:
        return existing
    return open_case(response=response, reason=f"NPS {response.nps}")


@transaction.atomic
def open_case(*, response: Response, reason: str, priority: str = FollowUpCase.Priority.NORMAL) -> FollowUpCase:
    """Open a case for a response, assigned to the responsible lead, due within the SLA hours."""
    now = timezone.now()
    assignee = responsible_lead(response.unit)
    case = FollowUpCase.objects.create(
        response=response,
        organisation=response.organisation,
        unit=response.unit,
        assignee=assignee,
        priority=priority,
        reason=reason,
        opened_at=now,
        due_at=now + timedelta(hours=settings.CXLOOP_FOLLOWUP_DUE_HOURS),
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, at=now, note=reason)
    if assignee is not None:
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.ASSIGNED, at=now, data={"employee_id": assignee.pk, "name": assignee.name}
        )
        if assignee.email:
            transaction.on_commit(lambda: _notify_assignee(case.pk))
    return case


def _notify_assignee(case_id: int) -> None:
    from cxloop.followup.tasks import notify_assignee_task

    notify_assignee_task.enqueue(case_id)


def notify_assignee(*, case_id: int) -> None:
    """E-mail the assignee that a dissatisfied customer is waiting for a call."""
    case = FollowUpCase.objects.select_related("assignee", "organisation", "response").get(pk=case_id)
    if case.assignee is None or not case.assignee.email:
        return
    context = {"case": case, "url": settings.BASE_URL + reverse("case_detail", kwargs={"pk": case.pk})}
    send_email(
        organisation=case.organisation,
        recipient=case.assignee.email,
        subject=render_to_string("followup/email/assigned_subject.txt", context).strip(),
        text=render_to_string("followup/email/assigned.txt", context),
    )


def _locked(case: FollowUpCase) -> FollowUpCase:
    return FollowUpCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def log_contact_attempt(
    *, case: FollowUpCase, actor: AbstractBaseUser, channel: str, reached: bool, note: str = ""
) -> CaseEvent:
    """Record a call or message to the customer; reaching them marks the case contacted."""
    case = _locked(case)
    if case.status == FollowUpCase.Status.CLOSED:
        raise CaseError("the case is closed")
    now = timezone.now()
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CONTACT_ATTEMPT,
        at=now,
        actor=actor,
        note=note,
        data={"channel": channel, "reached": reached},
    )
    if reached:
        if case.first_contact_at is None:
            case.first_contact_at = now
        if case.status == FollowUpCase.Status.NEW:
            case.status = FollowUpCase.Status.CONTACTED
        case.save(update_fields=["first_contact_at", "status"])
    return event


@transaction.atomic
def close_case(*, case: FollowUpCase, actor: AbstractBaseUser, resolution: str) -> FollowUpCase:
    """Close a case with a note saying what was done."""
    resolution = resolution.strip()
    if not resolution:
        raise CaseError("say what was done before closing the case")
    case = _locked(case)
    if case.status == FollowUpCase.Status.CLOSED:
        raise CaseError("the case is already closed")
    now = timezone.now()
    case.status = FollowUpCase.Status.CLOSED
    case.closed_at = now
    case.resolution = resolution
    case.save(update_fields=["status", "closed_at", "resolution"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, at=now, actor=actor, note=resolution)
    return case
