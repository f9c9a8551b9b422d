"""Recording a customer's answers, partial or submitted."""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cxloop.journeys.models import Interaction, Touchpoint
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Invitation, Question

RawAnswer = str | Sequence[str]
MAX_TEXT = 5000


class AnswerRejected(Exception):
    """An answer is out of range or a required question is empty; `errors` maps question id to message."""

    def __init__(self, errors: Mapping[int, object]):
        self.errors = dict(errors)
        super().__init__("; ".join(str(message) for message in self.errors.values()))


@dataclass(frozen=True)
class Value:
    """One parsed answer: a score, a text, the chosen values or the chosen touchpoint."""

    number: int | None = None
    text: str = ""
    values: tuple[str, ...] = ()
    touchpoint_id: int | None = None


@dataclass
class JourneyFacts:
    """What the customer's journey holds: its touchpoints in order and the latest interaction at each."""

    touchpoints: list[Touchpoint] = field(default_factory=list)
    latest: dict[int, Interaction] = field(default_factory=dict)


def journey_facts(*, journey_id: int) -> JourneyFacts:
    """The journey's touchpoints (in the journey type's order) and latest interaction per touchpoint, in one query."""
    facts = JourneyFacts()
    interactions = (
        Interaction.objects.filter(journey_id=journey_id, touchpoint__isnull=False)
        .select_related("touchpoint")
        .order_by("occurred_at", "pk")
    )
    for interaction in interactions:
        facts.latest[interaction.touchpoint_id] = interaction
    touchpoints = {i.touchpoint_id: i.touchpoint for i in facts.latest.values()}
    facts.touchpoints = sorted(touchpoints.values(), key=lambda t: (t.position, t.pk))
    return facts


def shown_questions(
    questions: Sequence[Question],
    numbers: Mapping[int, int | None],
    *,
    can_ask_moment: bool = True,
) -> list[Question]:
    """The questions to ask given the scores known so far: a conditional one only while its condition holds.

    A "moment" question is left out when the customer's journey has no touchpoint to choose from.
    """
    by_id = {q.pk: q for q in questions}
    memo: dict[int, bool] = {}

    def shown(question: Question, trail: frozenset[int]) -> bool:
        if question.pk not in memo:
            memo[question.pk] = _condition_holds(question, by_id, numbers, trail, shown)
        return memo[question.pk]

    asked = [q for q in questions if shown(q, frozenset())]
    return [q for q in asked if can_ask_moment or q.kind != Question.Kind.MOMENT]


def _condition_holds(
    question: Question,
    by_id: Mapping[int, Question],
    numbers: Mapping[int, int | None],
    trail: frozenset[int],
    shown: Callable[[Question, frozenset[int]], bool],
) -> bool:
    parent_id = question.condition_question_id
    if parent_id is None:
        return True
    parent = by_id.get(parent_id)
    if parent is None or parent_id in trail or not shown(parent, trail | {question.pk}):
        return False  # a condition on a missing question, or a cycle, never holds
    number = numbers.get(parent_id)
    if number is None:
        return False
    low = question.condition_min if question.condition_min is not None else number
    high = question.condition_max if question.condition_max is not None else number
    return low <= number <= high


def _parse_one(question: Question, raw: RawAnswer, facts: JourneyFacts) -> Value | None:
    """Parse one submitted answer; None for an empty one; ValueError (with the message) for a bad one."""
    items = [raw] if isinstance(raw, str) else list(raw)
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        return None
    if question.scale is not None:
        low, high = question.scale
        if (
            len(items) != 1
            or not items[0].lstrip("-").isdigit()
            or not low <= int(items[0]) <= high
        ):
            raise ValueError(
                format_lazy(_("Choose a whole number from {low} to {high}."), low=low, high=high)
            )
        return Value(number=int(items[0]))
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return _parse_choice(question, items)
    if question.kind == Question.Kind.MOMENT:
        offered = {str(t.pk): t.pk for t in facts.touchpoints}
        if len(items) != 1 or items[0] not in offered:
            raise ValueError(_("Choose one of the moments of your own journey."))
        return Value(touchpoint_id=offered[items[0]])
    return Value(text="\n".join(items)[:MAX_TEXT])


def _parse_choice(question: Question, items: list[str]) -> Value:
    known = [str(choice.get("value")) for choice in question.choices]
    if any(item not in known for item in items):
        raise ValueError(_("Choose from the options given."))
    if question.kind == Question.Kind.SINGLE:
        if len(set(items)) != 1:
            raise ValueError(_("Choose one option."))
        return Value(text=items[0])
    return Value(values=tuple(value for value in known if value in items))


def _stored_values(response: Response | None) -> dict[int, Value]:
    if response is None:
        return {}
    return {
        a.question_id: Value(
            number=a.number,
            text=a.text,
            values=tuple(a.values or ()),
            touchpoint_id=a.chosen_touchpoint_id,
        )
        for a in response.answers.all()
    }


@dataclass
class _Outcome:
    values: dict[int, Value]
    submit: bool


def _merge(
    questions: list[Question],
    stored: dict[int, Value],
    raw: Mapping[int, RawAnswer],
    facts: JourneyFacts,
    *,
    submit: bool,
    seen: Collection[int] | None,
) -> _Outcome:
    """Posted answers over the stored ones; only what is shown counts; on submit, check required and new questions."""
    by_id = {q.pk: q for q in questions}
    values = dict(stored)
    errors: dict[int, object] = {}
    for question_id, answer in raw.items():
        question = by_id.get(question_id)
        if question is None:
            continue
        try:
            parsed = _parse_one(question, answer, facts)
        except ValueError as error:
            errors[question_id] = error.args[0]
            continue
        if parsed is None:
            values.pop(question_id, None)
        else:
            values[question_id] = parsed
    numbers = {pk: value.number for pk, value in values.items()}
    shown = shown_questions(questions, numbers, can_ask_moment=bool(facts.touchpoints))
    shown_ids = {q.pk for q in shown}
    errors = {pk: message for pk, message in errors.items() if pk in shown_ids}
    values = {pk: value for pk, value in values.items() if pk in shown_ids}
    if submit and seen is not None and any(q.pk not in seen and q.pk not in values for q in shown):
        submit = False  # a newly applicable question: ask it before finishing
    if submit:
        for question in shown:
            if question.required and question.pk not in values and question.pk not in errors:
                errors[question.pk] = _("Please answer this question.")
    if errors:
        raise AnswerRejected(errors)
    return _Outcome(values=values, submit=submit)


def record_response(
    *,
    invitation: Invitation,
    answers: Mapping[int, RawAnswer],
    submit: bool,
    seen: Collection[int] | None = None,
) -> Response:
    """Keep the answers given so far; on submit, close the invitation and start the follow-up rules.

    `answers` maps question id to the posted value (a list for multiple choice); a question that is
    present but empty clears its stored answer, an absent one keeps it. `seen` holds the ids of the
    questions the customer was shown: when a submit makes another conditional question applicable,
    the answers are kept as partial and the returned response stays unsubmitted, so the page can ask it.
    """
    questions = list(invitation.survey.questions.all())
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("interaction", "customer")
            .get(pk=invitation.pk)
        )
        if invitation.status == Invitation.Status.ANSWERED:
            raise AnswerRejected({0: _("This survey has already been answered.")})
        facts = journey_facts(journey_id=invitation.journey_id)
        existing = Response.objects.filter(invitation=invitation).first()
        outcome = _merge(
            questions, _stored_values(existing), answers, facts, submit=submit, seen=seen
        )
        response = existing or _new_response(invitation, now)
        _store_answers(response, questions, outcome.values, invitation.interaction, facts)
        _denormalise_scores(response, questions, outcome.values)
        if outcome.submit:
            response.submitted_at = now
            invitation.status = Invitation.Status.ANSWERED
            invitation.answered_at = now
            invitation.save(update_fields=["status", "answered_at"])
        response.save()
        if outcome.submit:
            from cxloop.followup.services import apply_followup_rules_after_commit

            apply_followup_rules_after_commit(response_id=response.pk)
            transaction.on_commit(lambda: _after_submit(response.pk))
    return response


def _attribution(
    question: Question, value: Value, default: Interaction, facts: JourneyFacts
) -> Interaction:
    """Who an answer is about: the partner at the question's (or the chosen) touchpoint, else the response's interaction."""
    touchpoint_id = (
        value.touchpoint_id if question.kind == Question.Kind.MOMENT else question.touchpoint_id
    )
    if touchpoint_id is not None and touchpoint_id in facts.latest:
        return facts.latest[touchpoint_id]
    return default


def _store_answers(
    response: Response,
    questions: list[Question],
    values: dict[int, Value],
    default: Interaction,
    facts: JourneyFacts,
) -> None:
    response.answers.exclude(question_id__in=list(values)).delete()
    for question in questions:
        value = values.get(question.pk)
        if value is None:
            continue
        about = _attribution(question, value, default, facts)
        Answer.objects.update_or_create(
            response=response,
            question=question,
            defaults={
                "number": value.number,
                "text": value.text,
                "values": list(value.values),
                "chosen_touchpoint_id": value.touchpoint_id,
                "interaction_id": about.pk,
                "organisation_id": about.organisation_id,
                "unit_id": about.unit_id,
                "employee_id": about.employee_id,
            },
        )


def _new_response(invitation: Invitation, now: datetime) -> Response:
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


def _denormalise_scores(
    response: Response, questions: list[Question], values: dict[int, Value]
) -> None:
    """Copy the first NPS, CSAT and CES score and open answer onto the response for fast dashboards."""
    response.nps = response.csat = response.ces = None
    response.comment = ""
    for question in questions:
        value = values.get(question.pk)
        if value is None:
            continue
        if question.kind == Question.Kind.NPS and response.nps is None:
            response.nps = value.number
        elif question.kind == Question.Kind.CSAT and response.csat is None:
            response.csat = value.number
        elif question.kind == Question.Kind.CES and response.ces is None:
            response.ces = value.number
        elif question.kind == Question.Kind.OPEN and not response.comment:
            response.comment = value.text


def _after_submit(response_id: int) -> None:
    """Count the response in the dashboards' roll-ups and analyse what the customer wrote."""
    from cxloop.dashboards.tasks import add_to_rollup_task
    from cxloop.text.tasks import analyse_response_task

    add_to_rollup_task.enqueue(response_id)
    analyse_response_task.enqueue(response_id)
