"""API: your surveys and their questions, and every decision about your contacts: who was asked,
who was not, and why (the same decisions the Customers page shows)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.models import ApiKey
from cxloop.surveys.models import InvitationDecision, Question, Survey

surveys_router = Router()
invitations_router = Router()


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text_nl: str
    text_en: str
    required: bool
    choices: list
    touchpoint: str | None = Field(description="Asked only after this touchpoint (its slug)")
    condition_question: int | None = Field(description="Shown only when this question's answer…")
    condition_min: int | None = Field(description="…lies between condition_min and condition_max")
    condition_max: int | None


class SurveyOut(Schema):
    id: int
    family: int = Field(description="The id shared by all versions of this survey")
    version: int
    status: str
    name: str
    published_at: datetime | None


class SurveyDetailOut(SurveyOut):
    intro_nl: str
    intro_en: str
    questions: list[QuestionOut]


def _survey(survey: Survey) -> dict:
    return {
        "id": survey.pk,
        "family": survey.root_id,
        "version": survey.version,
        "status": survey.status,
        "name": survey.name,
        "published_at": survey.published_at,
    }


def _question(question: Question) -> dict:
    return {
        "id": question.pk,
        "position": question.position,
        "kind": question.kind,
        "text_nl": question.text_nl,
        "text_en": question.text_en,
        "required": question.required,
        "choices": question.choices,
        "touchpoint": question.touchpoint.slug if question.touchpoint else None,
        "condition_question": question.condition_question_id,
        "condition_min": question.condition_min,
        "condition_max": question.condition_max,
    }


@surveys_router.get("", response=list[SurveyOut], operation_id="surveys_list")
def list_surveys(request: HttpRequest, status: str = ""):
    """Every version of your organisation's surveys, newest first; `status=published` for the ones in use."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    surveys = Survey.objects.filter(organisation=api_key.organisation).order_by("-pk")
    if status:
        surveys = surveys.filter(status=status)
    return [_survey(s) for s in surveys]


@surveys_router.get(
    "/{survey_id}", response={200: SurveyDetailOut, 404: ErrorOut}, operation_id="surveys_read"
)
def read_survey(request: HttpRequest, survey_id: int):
    """One survey version with its questions in order."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    survey = Survey.objects.filter(organisation=api_key.organisation, pk=survey_id).first()
    if survey is None:
        return refuse(404, "no survey with this id in your organisation")
    questions = survey.questions.select_related("touchpoint").order_by("position", "pk")
    return Status(
        200,
        {
            **_survey(survey),
            "intro_nl": survey.intro_nl,
            "intro_en": survey.intro_en,
            "questions": [_question(q) for q in questions],
        },
    )


class InvitationOut(Schema):
    status: str
    channel: str
    send_after: datetime
    sent_at: datetime | None
    expires_at: datetime
    answered_at: datetime | None


class DecisionOut(Schema):
    id: int
    decided_at: datetime
    customer_key: str
    interaction: str | None = Field(description="Your external id of the interaction decided on")
    journey_id: str | None
    outcome: str = Field(description="invited, not_invited or waiting")
    reason: str = Field(
        description="A code: invited, opted_out, quarantine, journey_asked, cap, ..."
    )
    reason_text: str = Field(description="The reason in words")
    detail: str
    invitation: InvitationOut | None


class DecisionPage(Schema):
    items: list[DecisionOut]
    next_after_id: int | None


@invitations_router.get("", response=DecisionPage, operation_id="invitations_list")
def list_invitations(
    request: HttpRequest,
    customer: str = "",
    interaction: str = "",
    outcome: str = "",
    decided_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 100,
):
    """Every decision about your contacts, in id order: who was asked and who was not, and why,
    with the invitation where one was made. Filter by `customer` key or `interaction` (your id)."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    limit = max(1, min(limit, 1000))
    decisions = InvitationDecision.objects.filter(
        organisation=api_key.organisation, pk__gt=after_id
    )
    if customer:
        decisions = decisions.filter(customer__key=customer)
    if interaction:
        decisions = decisions.filter(interaction__external_id=interaction)
    if outcome:
        decisions = decisions.filter(outcome=outcome)
    if decided_since is not None:
        decisions = decisions.filter(decided_at__gte=decided_since)
    rows = list(
        decisions.select_related("customer", "interaction", "journey", "invitation").order_by("pk")[
            : limit + 1
        ]
    )
    page = rows[:limit]
    return {
        "items": [_decision(d) for d in page],
        "next_after_id": page[-1].pk if len(rows) > limit else None,
    }


def _decision(decision: InvitationDecision) -> dict:
    invitation = decision.invitation
    return {
        "id": decision.pk,
        "decided_at": decision.decided_at,
        "customer_key": decision.customer.key,
        "interaction": decision.interaction.external_id if decision.interaction else None,
        "journey_id": decision.journey.external_id if decision.journey else None,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "reason_text": str(decision.get_reason_display()),
        "detail": decision.detail,
        "invitation": {
            "status": invitation.status,
            "channel": invitation.channel,
            "send_after": invitation.send_after,
            "sent_at": invitation.sent_at,
            "expires_at": invitation.expires_at,
            "answered_at": invitation.answered_at,
        }
        if invitation
        else None,
    }
