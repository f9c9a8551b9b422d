"""Reminders before a case is due, and escalation one layer up the hierarchy per working day overdue."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cxloop.followup import history, sla
from cxloop.followup.assignment import leads_above
from cxloop.followup.models import FollowUpCase, FollowUpSettings
from cxloop.lib.locale import staff_language
from cxloop.messaging.services import queue_email
from cxloop.orgs.capabilities import Capability, holders

ESCALATION_STEP = timedelta(hours=8)  # one working day between layers


def _remind_before(case: FollowUpCase) -> timedelta:
    hours = (
        FollowUpSettings.objects.filter(organisation=case.organisation)
        .values_list("remind_before_hours", flat=True)
        .first()
    )
    return timedelta(hours=2 if hours is None else hours)


def remind_case(*, case: FollowUpCase, due: datetime, now: datetime) -> int:
    """E-mail the assignee once, shortly before the case is due; returns 1 when a reminder went out."""
    if (
        case.reminded_at is not None
        or case.assignee is None
        or not (due - _remind_before(case) <= now < due)
    ):
        return 0
    with transaction.atomic():
        if not FollowUpCase.objects.filter(pk=case.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            return 0  # another worker reminded first
        history.reminded(case, due=due, at=now)
        if case.assignee.email:
            _mail(
                case,
                case.assignee.email,
                "followup/email/reminder",
                due=due,
                purpose="case_reminder",
            )
    return 1


def escalation_targets(case: FollowUpCase) -> list[list[str]]:
    """E-mail addresses per escalation layer: each lead above the assignee, then the organisation's admins."""
    ladder = [[lead.email] for lead in leads_above(case.unit, current=case.assignee) if lead.email]
    admins = sorted(
        {
            user.email
            for user in holders(Capability.RECEIVE_ESCALATIONS, case.organisation)
            if user.email
        }
    )
    if admins:
        ladder.append(admins)
    return ladder


def escalate_case(*, case: FollowUpCase, due: datetime, now: datetime) -> int:
    """Escalate an overdue case one layer, if it is overdue long enough for the next layer; returns 1 if it did."""
    if now < due:
        return 0
    from cxloop.followup.services import calendar_for

    overdue = sla.working_time_between(calendar_for(case.organisation), due, now)
    wanted_level = 1 + int(overdue / ESCALATION_STEP)
    ladder = escalation_targets(case)
    level = case.escalation_level + 1
    if level > wanted_level or level > len(ladder):
        return 0
    with transaction.atomic():
        updated = FollowUpCase.objects.filter(
            pk=case.pk, escalation_level=case.escalation_level
        ).update(escalation_level=level, escalated_at=now)
        if not updated:
            return 0  # another worker escalated first
        case.escalation_level, case.escalated_at = level, now
        recipients = ladder[level - 1]
        for recipient in recipients:
            _mail(
                case,
                recipient,
                "followup/email/escalated",
                due=due,
                purpose="case_escalated",
                level=level,
            )
        history.escalated(case, level=level, recipients=recipients, at=now)
    return 1


def _mail(
    case: FollowUpCase, recipient: str, template: str, *, due: datetime, purpose: str, **extra
) -> None:
    context = {
        "case": case,
        "due": due,
        "url": settings.BASE_URL + reverse("case_detail", kwargs={"pk": case.pk}),
        **extra,
    }
    with translation.override(
        staff_language(recipient)
    ):  # not the language of whoever's request this is
        queue_email(
            organisation=case.organisation,
            recipient=recipient,
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            text=render_to_string(f"{template}.txt", context),
            purpose=purpose,
            subject_id=case.pk,
        )
