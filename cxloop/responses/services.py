"""Recording a customer's answers: a tapped score, partial answers on the page, the submit, the close.

A response counts (dashboards, roll-ups, follow-up rules) from the moment it has a score a person
tapped in the e-mail, from the submit on the page, or from the close when its invitation expires.
Until the customer submits or the invitation expires, later answers go into the same response
and it is counted and judged by the rules again. Which taps are a person's and which a link
scanner's is decided in responses/taps.py (docs/survey-links.md).
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cxloop.dashboards.rollups import mark_changed
from cxloop.journeys.models import Interaction, Touchpoint
from cxloop.responses import taps
from cxloop.responses.models import Answer, Response, ScoreTap
from cxloop.surveys.models import Invitation, Question

RawAnswer = str | Sequence[str]
MAX_TEXT = 5000  # characters of one open answer; a longer one is refused, never cut
# Invitations whose link still takes answers.
OPEN_STATUSES = (Invitation.Status.SENT, Invitation.Status.OPENED)


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
    touchpoints: dict[int, Touchpoint] = {}
    for interaction in interactions:
        touchpoint = interaction.touchpoint
        if touchpoint is not None:  # always, by the filter; tells the type checker so
            facts.latest[touchpoint.pk] = interaction
            touchpoints[touchpoint.pk] = touchpoint
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
    text = "\n".join(items).replace("\r\n", "\n")  # a form posts each line break as CR LF
    if len(text) > MAX_TEXT:
        raise ValueError(
            format_lazy(
                _("Your answer has {length} characters; at most {limit} fit. Please shorten it."),
                length=len(text),
                limit=MAX_TEXT,
            )
        )
    return Value(text=text)


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
    """Keep the answers given on the page; on submit, close the invitation. A counting response is
    counted and judged by the follow-up rules again at once.

    `answers` maps question id to the posted value (a list for multiple choice); a question that is
    present but empty clears its stored answer, an absent one keeps it. `seen` holds the ids of the
    questions the customer was shown: when a submit makes another conditional question applicable,
    the answers are kept as partial and the returned response stays unsubmitted, so the page can ask it.
    """
    questions = list(invitation.survey.questions.all())
    now = timezone.now()
    with transaction.atomic():
        invitation = _locked(invitation)
        facts = journey_facts(journey_id=invitation.journey_id)
        existing = _locked_response(invitation)
        outcome = _merge(
            questions, _stored_values(existing), answers, facts, submit=submit, seen=seen
        )
        response = existing or _new_response(invitation, now)
        if any(q.kind == Question.Kind.NPS and q.pk in answers for q in questions):
            response.tapped_at = None  # the score on the page overrules a tap
        _save_answers(response, questions, outcome.values, invitation, facts, answered_at=now)
        if outcome.submit:
            response.submitted_at = response.submitted_at or now
            invitation.status = Invitation.Status.ANSWERED
            invitation.answered_at = now
            invitation.save(update_fields=["status", "answered_at"])
            ScoreTap.objects.filter(invitation=invitation).delete()  # their work is done
        if response.submitted_at is not None:
            response.rules_due_at = now
        response.save()
        if response.submitted_at is not None:
            _after_change(response.pk, rules_at=now)
    return response


@dataclass(frozen=True)
class TapOutcome:
    """What a tap did: `counted` when its score stands now; otherwise the page asks to confirm it."""

    response: Response | None
    counted: bool


def record_tap(*, invitation: Invitation, score: str, now: datetime | None = None) -> TapOutcome:
    """A score tapped in the e-mail counts at once, unless the taps show a link scanner.

    The tap joins the invitation's taps and `taps.standing` names the one that counts: its score
    is stored, counted in the roll-ups at once and judged by the follow-up rules once the latest
    group of taps is final; a scanner's score is taken back out. A score given on the page is
    never overruled by a tap. An invalid score raises AnswerRejected and records nothing.
    """
    questions = list(invitation.survey.questions.all())
    question = next(
        (q for q in questions if q.kind == Question.Kind.NPS and q.condition_question_id is None),
        None,
    )
    if question is None:
        return TapOutcome(response=None, counted=False)
    try:
        parsed = _parse_one(question, score, JourneyFacts())
    except ValueError as error:
        raise AnswerRejected({question.pk: error.args[0]}) from None
    if parsed is None or parsed.number is None:
        return TapOutcome(response=None, counted=False)  # a link without a score
    number = parsed.number
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _locked(invitation)
        ScoreTap.objects.create(invitation=invitation, score=number, tapped_at=now)
        recent = invitation.score_taps.order_by("-tapped_at")[: taps.HISTORY]
        history = [taps.Tap(score=s, at=at) for s, at in recent.values_list("score", "tapped_at")]
        response = _locked_response(invitation)
        if response is not None and response.tapped_at is None and response.nps is not None:
            return TapOutcome(response=response, counted=False)  # the page's score stands
        standing = taps.standing(history)
        if standing is None:
            if response is not None and response.tapped_at is not None:
                _set_tapped_score(response, questions, question, invitation, None, rules_at=None)
            return TapOutcome(response=response, counted=False)
        response = response or _new_response(invitation, now)
        _set_tapped_score(
            response, questions, question, invitation, standing, rules_at=taps.settled_at(history)
        )
    return TapOutcome(response=response, counted=standing == taps.Tap(score=number, at=now))


def _set_tapped_score(
    response: Response,
    questions: list[Question],
    question: Question,
    invitation: Invitation,
    tap: taps.Tap | None,
    *,
    rules_at: datetime | None,
) -> None:
    """Store the standing tap's score (it counts from the tap; rules at `rules_at`), or take it out."""
    facts = journey_facts(journey_id=invitation.journey_id)
    raw = {question.pk: "" if tap is None else str(tap.score)}
    values = _merge(questions, _stored_values(response), raw, facts, submit=False, seen=None).values
    _save_answers(
        response, questions, values, invitation, facts, answered_at=tap.at if tap else None
    )
    if tap is None:
        response.tapped_at = response.submitted_at = response.rules_due_at = None
    else:
        response.tapped_at = tap.at
        response.submitted_at = response.submitted_at or tap.at
        response.rules_due_at = rules_at
    response.save()
    _after_change(response.pk, rules_at=rules_at)


def _locked(invitation: Invitation) -> Invitation:
    """The invitation, locked: one writer of its response at a time; a finished one takes nothing."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("interaction", "customer")
        .get(pk=invitation.pk)
    )
    if invitation.status == Invitation.Status.ANSWERED:
        raise AnswerRejected({0: _("This survey has already been answered.")})
    closed = (Invitation.Status.EXPIRED, Invitation.Status.CANCELLED)
    if invitation.status in closed or invitation.expires_at <= timezone.now():
        raise AnswerRejected({0: _("This survey has closed")})  # closed at expiry meanwhile
    return invitation


def _locked_response(invitation: Invitation) -> Response | None:
    return Response.objects.select_for_update(of=("self",)).filter(invitation=invitation).first()


def _save_answers(
    response: Response,
    questions: list[Question],
    values: dict[int, Value],
    invitation: Invitation,
    facts: JourneyFacts,
    *,
    answered_at: datetime | None,
) -> None:
    """Store the answers and the scores copied onto the response (saved by the caller)."""
    mark_changed(response)
    _store_answers(response, questions, values, invitation.interaction, facts)
    _denormalise_scores(response, questions, values)
    if answered_at is not None:
        response.last_answer_at = answered_at


def _after_change(response_id: int, *, rules_at: datetime | None) -> None:
    """Once committed: count the response again, apply the rules when due, analyse what it says."""

    def enqueue() -> None:
        from cxloop.dashboards.tasks import add_to_rollup_task
        from cxloop.responses.tasks import apply_due_rules_task
        from cxloop.surveys.planning import enqueue_at
        from cxloop.text.tasks import analyse_response_task

        add_to_rollup_task.enqueue(response_id)
        if rules_at is not None:
            enqueue_at(apply_due_rules_task, rules_at, response_id)
        analyse_response_task.enqueue(response_id)

    transaction.on_commit(enqueue)


def apply_due_rules(*, response_id: int, now: datetime | None = None) -> bool:
    """Apply the follow-up rules to a response whose turn has come; False when nothing was due.

    Safe to run twice and early: the due time is cleared in the transaction that applies them.
    """
    from cxloop.followup.services import apply_followup_rules

    now = now or timezone.now()
    with transaction.atomic():
        if not Response.objects.filter(pk=response_id, rules_due_at__lte=now).update(
            rules_due_at=None
        ):
            return False
        apply_followup_rules(response_id=response_id)
    return True


def rules_due(*, now: datetime, limit: int = 500) -> list[int]:
    """Responses whose follow-up rules are due (the sweeper's list)."""
    due = Response.objects.filter(rules_due_at__lte=now).order_by("rules_due_at")
    return list(due.values_list("pk", flat=True)[:limit])


def close_expired(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Expire the invitations whose time is up; an unfinished response is closed and counted.

    Returns how many invitations expired and how many of their responses were closed.
    """
    now = now or timezone.now()
    with_response = Invitation.objects.filter(
        status__in=OPEN_STATUSES, expires_at__lte=now, response__isnull=False
    ).values_list("pk", flat=True)[:limit]
    closed = [close_at_expiry(invitation_id=pk, now=now) for pk in with_response]
    expired = Invitation.objects.filter(
        status__in=[*OPEN_STATUSES, Invitation.Status.SCHEDULED], expires_at__lte=now
    ).update(status=Invitation.Status.EXPIRED)
    return expired + len(closed), sum(response is not None for response in closed)


def close_at_expiry(*, invitation_id: int, now: datetime) -> Response | None:
    """Expire an invitation and close its unfinished response with what was answered, so it counts."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(pk=invitation_id, status__in=OPEN_STATUSES, expires_at__lte=now)
            .first()
        )
        if invitation is None:
            return None
        invitation.status = Invitation.Status.EXPIRED
        invitation.save(update_fields=["status"])
        ScoreTap.objects.filter(invitation=invitation).delete()
        response = _locked_response(invitation)
        if response is None or not response.answers.exists():
            return None
        if response.submitted_at is None:
            mark_changed(response)
            response.submitted_at = response.last_answer_at or response.started_at
        response.rules_due_at = now
        response.save()
        _after_change(response.pk, rules_at=now)
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
