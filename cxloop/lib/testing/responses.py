"""A response for tests, made the way the loop makes one: the interaction through
`journeys.services.record_interactions`, the customer's answers through
`responses.services.record_response` (or, without a score, a partial save that
`close_at_expiry` closes, as when a customer stops half-way), then counted in the roll-ups.

Only the invitation is written directly: which interactions get one is the planning's business
and has its own tests; here every interaction is one the customer was asked about.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import time_machine
from django.utils import timezone

from cxloop.customers.models import Customer
from cxloop.dashboards.rollups import add_response
from cxloop.journeys.models import Channel, JourneyType, Touchpoint
from cxloop.journeys.services import InteractionInput, record_interactions
from cxloop.orgs.models import Employee, Unit
from cxloop.responses.models import Response
from cxloop.responses.services import close_at_expiry, record_response
from cxloop.surveys.models import Invitation, Question, Survey

_numbers = count(1)
VALID_DAYS = 30


def make_response(
    cast: Any,
    *,
    nps: int | None,
    employee: Employee | None = None,
    unit: Unit | None = None,
    comment: str = "",
    days_ago: float = 0,
    channel: Channel | None = None,
    touchpoint: Touchpoint | None = None,
    journey_type: JourneyType | None = None,
    csat: int | None = None,
    ces: int | None = None,
    segment: str = "",
    customer_key: str = "",
    survey: Survey | None = None,
) -> Response:
    """A response that counts, about an interaction of `employee` (or of `unit` without one;
    the cast's team without either), submitted `days_ago` days ago, by a customer of its own
    unless `customer_key` names one. A CSAT or CES score asks the survey such a question."""
    unit = unit or (employee.unit if employee else cast.team)
    survey = survey or cast.survey
    when = timezone.now() - timedelta(days=days_ago)
    number = next(_numbers)
    with time_machine.travel(when, tick=False):
        invitation = _invitation(
            cast,
            survey,
            InteractionInput(
                external_id=f"ti-{number}",
                occurred_at=when,
                customer_key=customer_key or f"T-{number}",
                journey_id=f"tj-{number}",
                journey_type=(journey_type or cast.journey_type).slug,
                channel=(channel or cast.phone).slug,
                touchpoint=touchpoint.slug if touchpoint else None,
                employee=employee.code if employee else None,
                unit=None if employee else unit.slug,
            ),
            unit,
        )
        if segment:
            Customer.objects.filter(pk=invitation.customer_id).update(segment=segment)
        response = _answer(invitation, survey, nps=nps, comment=comment, csat=csat, ces=ces)
    add_response(response_id=response.pk)
    return response


def make_responses(cast: Any, scores: list[int], **kwargs: Any) -> list[Response]:
    """One response per NPS score, each with the same other arguments."""
    return [make_response(cast, nps=score, **kwargs) for score in scores]


def _invitation(cast: Any, survey: Survey, item: InteractionInput, unit: Unit) -> Invitation:
    [recorded] = record_interactions(organisation=unit.organisation, items=[item])
    interaction = recorded.interaction
    return Invitation.objects.create(
        organisation=unit.organisation,
        survey=survey,
        customer_id=interaction.customer_id,
        journey_id=interaction.journey_id,
        interaction=interaction,
        status=Invitation.Status.SENT,
        send_after=item.occurred_at,
        sent_at=item.occurred_at,
        expires_at=item.occurred_at + timedelta(days=VALID_DAYS),
    )


def _answer(
    invitation: Invitation,
    survey: Survey,
    *,
    nps: int | None,
    comment: str,
    csat: int | None,
    ces: int | None,
) -> Response:
    answers: dict[int, str] = {}
    for kind, value in (
        (Question.Kind.NPS, nps),
        (Question.Kind.CSAT, csat),
        (Question.Kind.CES, ces),
        (Question.Kind.OPEN, comment or None),
    ):
        if value is not None:
            answers[_question(survey, kind).pk] = str(value)
    if nps is not None:
        return record_response(invitation=invitation, answers=answers, submit=True)
    # Without a score the (required) NPS question keeps a submit back: the customer stopped, and
    # the response counts from its invitation's expiry with what was answered.
    record_response(invitation=invitation, answers=answers, submit=False)
    closed = close_at_expiry(invitation_id=invitation.pk, now=invitation.expires_at)
    if closed is None:
        raise ValueError("a response without any answer never counts")
    return closed


def _question(survey: Survey, kind: str) -> Question:
    question = survey.questions.filter(kind=kind).order_by("position", "pk").first()
    if question is None:
        question = survey.questions.create(
            kind=kind,
            position=survey.questions.count() + 1,
            text_nl=f"Vraag ({kind})",
            text_en=f"Question ({kind})",
        )
    return question
