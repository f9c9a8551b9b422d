"""Recording a customer's answers, partial or submitted."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Invitation, Question


class AnswerRejected(Exception):
    """An answer is out of range or a required question is empty; `errors` maps question id to message."""

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def _parse_answers(questions: list[Question], raw: Mapping[int, str], *, submit: bool) -> dict[int, int | str]:
    parsed: dict[int, int | str] = {}
    errors: dict[int, str] = {}
    for question in questions:
        value = (raw.get(question.pk) or "").strip()
        if not value:
            if submit and question.required:
                errors[question.pk] = "required"
            continue
        if question.scale is None:
            parsed[question.pk] = value[:5000]
            continue
        low, high = question.scale
        if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
            errors[question.pk] = f"choose a whole number from {low} to {high}"
            continue
        parsed[question.pk] = int(value)
    if errors:
        raise AnswerRejected(errors)
    return parsed


def record_response(*, invitation: Invitation, answers: Mapping[int, str], submit: bool) -> Response:
    """Keep the answers given so far; on submit, close the invitation and start the follow-up rules."""
    questions = list(invitation.survey.questions.all())
    parsed = _parse_answers(questions, answers, submit=submit)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("interaction", "customer").get(
            pk=invitation.pk
        )
        if invitation.status == Invitation.Status.ANSWERED:
            raise AnswerRejected({0: "this survey has already been answered"})
        response = _response_for(invitation, now)
        for question_id, value in parsed.items():
            Answer.objects.update_or_create(
                response=response,
                question_id=question_id,
                defaults={"number": value if isinstance(value, int) else None, "text": value if isinstance(value, str) else ""},
            )
        _denormalise_scores(response, questions)
        if submit:
            response.submitted_at = now
            invitation.status = Invitation.Status.ANSWERED
            invitation.answered_at = now
            invitation.save(update_fields=["status", "answered_at"])
        response.save()
        if submit:
            from cxloop.followup.services import apply_followup_rules_after_commit

            apply_followup_rules_after_commit(response_id=response.pk)
    return response


def _response_for(invitation: Invitation, now) -> Response:
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    interaction = invitation.interaction
    unit = interaction.unit
    return Response.objects.create(
        invitation=invitation,
        survey_id=invitation.survey_id,
        customer_id=invitation.customer_id,
        organisation_id=invitation.organisation_id,
        interaction=interaction,
        journey_id=interaction.journey_id,
        journey_type_id=interaction.journey.journey_type_id,
        unit=unit,
        unit_path=unit.path if unit else "",
        employee_id=interaction.employee_id,
        channel_id=interaction.channel_id,
        touchpoint_id=interaction.touchpoint_id,
        language=invitation.customer.language,
        started_at=now,
    )


def _denormalise_scores(response: Response, questions: list[Question]) -> None:
    """Copy the first NPS score and open answer onto the response for fast dashboards."""
    answers = {a.question_id: a for a in response.answers.all()}
    response.nps = None
    response.comment = ""
    for question in questions:
        answer = answers.get(question.pk)
        if answer is None:
            continue
        if question.kind == Question.Kind.NPS and response.nps is None:
            response.nps = answer.number
        elif question.kind == Question.Kind.OPEN and not response.comment:
            response.comment = answer.text
