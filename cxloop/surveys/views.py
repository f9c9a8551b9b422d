"""The public survey page a customer reaches from the invitation link."""

from collections.abc import Collection, Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cxloop.lib.ratelimit import limit_per_client
from cxloop.responses import taps
from cxloop.responses.models import Response
from cxloop.responses.services import (
    MAX_TEXT,
    AnswerRejected,
    JourneyFacts,
    RawAnswer,
    journey_facts,
    record_response,
    record_tap,
    shown_questions,
)
from cxloop.surveys.models import Invitation, Question
from cxloop.surveys.queries import invitation_response, invitation_with_token
from cxloop.surveys.services import (
    SurveyLinkError,
    invitation_contact,
    open_survey_link,
)

LINK_ERROR_STATUS = {"unknown": 404, "expired": 410, "used": 410}
CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.MOMENT}


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    requested = request.GET.get("lang") or request.POST.get("lang")
    if requested in {"nl", "en"}:
        return requested
    return invitation_contact(invitation).language if invitation else "nl"


def _stored_selection(response: Response | None) -> dict[int, list[str]]:
    """What the customer answered so far, as the strings the form posts."""
    if response is None:
        return {}
    selection: dict[int, list[str]] = {}
    for answer in response.answers.all():
        if answer.number is not None:
            selection[answer.question_id] = [str(answer.number)]
        elif answer.chosen_touchpoint_id is not None:
            selection[answer.question_id] = [str(answer.chosen_touchpoint_id)]
        elif answer.values:
            selection[answer.question_id] = [str(v) for v in answer.values]
        else:
            selection[answer.question_id] = [answer.text]
    return selection


def _posted(
    request: HttpRequest, questions: list[Question], seen: Collection[int] | None
) -> dict[int, RawAnswer]:
    """The answers in the form; a question the page showed counts even when left empty (it clears the answer)."""
    posted: dict[int, RawAnswer] = {}
    for question in questions:
        field = f"q{question.pk}"
        if field not in request.POST and (seen is None or question.pk not in seen):
            continue
        if question.kind == Question.Kind.MULTIPLE:
            posted[question.pk] = request.POST.getlist(field)
        else:
            posted[question.pk] = request.POST.get(field, "")
    return posted


def _seen(request: HttpRequest) -> set[int] | None:
    if "shown" not in request.POST:
        return None
    return {int(value) for value in request.POST.getlist("shown") if value.isdigit()}


def _score(question: Question, selected: list[str]) -> int | None:
    if question.scale is None or len(selected) != 1 or not selected[0].lstrip("-").isdigit():
        return None
    return int(selected[0])


def _options(
    question: Question, language: str, facts: JourneyFacts | None
) -> list[tuple[str, str]]:
    scale = question.scale
    if scale is not None:
        return [(str(n), str(n)) for n in range(scale[0], scale[1] + 1)]
    if question.kind == Question.Kind.MOMENT:
        return [(str(t.pk), t.name) for t in (facts.touchpoints if facts else [])]
    if question.kind in CHOICE_KINDS:
        key = "en" if language == "en" else "nl"
        return [(str(c.get("value")), str(c.get(key) or c.get("value"))) for c in question.choices]
    return []


def _described_by(question: Question, field: str, errors: Mapping[int, object]) -> str:
    """The ids of the hint and the error message that explain a question's inputs."""
    has_hint = question.scale is not None or question.kind in (
        Question.Kind.MULTIPLE,
        Question.Kind.OPEN,
    )
    ids = [f"{field}-hint" if has_hint else "", f"{field}-error" if question.pk in errors else ""]
    return " ".join(i for i in ids if i)


def _rows(
    questions: list[Question],
    selection: Mapping[int, list[str]],
    *,
    language: str,
    facts: JourneyFacts | None,
    errors: Mapping[int, object],
    seen: Collection[int] | None,
) -> list[dict]:
    """The questions to show now, with the answers selected so far, their options and errors."""
    scores = {q.pk: _score(q, selection.get(q.pk, [])) for q in questions}
    shown = shown_questions(questions, scores, can_ask_moment=bool(facts and facts.touchpoints))
    rows = []
    for question in shown:
        selected = selection.get(question.pk, [])
        field = f"q{question.pk}"
        options = _options(question, language, facts)
        rows.append(
            {
                "question": question,
                "text": question.text(language),
                "field": field,
                "layout": "scale"
                if question.scale
                else ("choice" if question.kind in CHOICE_KINDS else "open"),
                "input_type": "checkbox" if question.kind == Question.Kind.MULTIPLE else "radio",
                "options": [
                    {
                        "id": f"{field}-{value if question.scale else index}",
                        "value": value,
                        "label": label,
                        "checked": value in selected,
                    }
                    for index, (value, label) in enumerate(options, start=1)
                ],
                "value": selected[0] if selected and not options else "",
                "error": errors.get(question.pk),
                "describedby": _described_by(question, field, errors),
                "new": seen is not None and question.pk not in seen,
            }
        )
    return rows


@limit_per_client("link", "CXLOOP_RATELIMIT_LINKS")
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey, count a tapped score at once, keep partial answers, ask follow-up questions, submit."""
    try:
        invitation = open_survey_link(token=token, mark_opened=request.method != "HEAD")
    except SurveyLinkError as error:
        language = _language(request, error.invitation)
        with translation.override(language):
            return render(
                request,
                "surveys/link_error.html",
                {"reason": error.reason, "language": language},
                status=LINK_ERROR_STATUS[error.reason],
            )
    language = _language(request, invitation)
    questions = list(invitation.survey.questions.all())
    if request.method == "POST":
        return _answer(request, invitation, questions, language=language, token=token)
    if "nps" in request.GET:
        return _tap(request, invitation, questions, language=language)
    return _page(request, invitation, questions, language=language)


def _tap(
    request: HttpRequest, invitation: Invitation, questions: list[Question], *, language: str
) -> HttpResponse:
    """A score link opened: a person's tap counts at once; a scanner's request changes nothing.

    A HEAD request or a client that names itself a robot or an HTTP library is never counted; the
    taps themselves tell a person from a scanner that looks like a browser (responses/taps.py).
    When the tap does not count, the page shows the score chosen and asks to send it.
    """
    score = request.GET["nps"]
    nps = next((q for q in questions if q.kind == Question.Kind.NPS), None)
    if nps is None:
        return _page(request, invitation, questions, language=language)  # no score to tap
    unconfirmed = {nps.pk: score}
    if request.method == "HEAD" or taps.scanner_agent(request.META.get("HTTP_USER_AGENT", "")):
        return _page(
            request, invitation, questions, language=language, posted=unconfirmed, tap="unconfirmed"
        )
    try:
        outcome = record_tap(invitation=invitation, score=score)
    except AnswerRejected as rejected:
        return _page(request, invitation, questions, language=language, errors=rejected.errors)
    if outcome.counted:
        return _page(request, invitation, questions, language=language, tap="counted")
    return _page(
        request, invitation, questions, language=language, posted=unconfirmed, tap="unconfirmed"
    )


def _answer(
    request: HttpRequest,
    invitation: Invitation,
    questions: list[Question],
    *,
    language: str,
    token: str,
) -> HttpResponse:
    """Save or submit the form; ask again when the answers made another question applicable."""
    seen = _seen(request)
    posted = _posted(request, questions, seen)
    submit = request.POST.get("action") != "save"
    try:
        response = record_response(invitation=invitation, answers=posted, submit=submit, seen=seen)
    except AnswerRejected as rejected:
        return _page(
            request, invitation, questions, language=language, errors=rejected.errors, posted=posted
        )
    if not submit:
        return redirect(f"{request.path}?lang={language}&saved=1")
    if response.submitted_at is not None:
        return redirect(f"{reverse('survey_thanks', kwargs={'token': token})}?lang={language}")
    return _page(request, invitation, questions, language=language, seen=seen, more=True)


def _page(
    request: HttpRequest,
    invitation: Invitation,
    questions: list[Question],
    *,
    language: str,
    errors: Mapping[int, object] | None = None,
    posted: Mapping[int, RawAnswer] | None = None,
    seen: Collection[int] | None = None,
    more: bool = False,
    tap: str = "",
) -> HttpResponse:
    """Render the questions that apply now, with the stored answers (or the posted ones after an error)."""
    errors = errors or {}
    response = invitation_response(invitation)
    selection = _stored_selection(response)
    selection.update(
        {pk: [v] if isinstance(v, str) else list(v) for pk, v in (posted or {}).items()}
    )
    has_moment = any(q.kind == Question.Kind.MOMENT for q in questions)
    facts = journey_facts(journey_id=invitation.journey_id) if has_moment else None
    question_ids = {q.pk for q in questions}
    with translation.override(language):
        rows = _rows(questions, selection, language=language, facts=facts, errors=errors, seen=seen)
        return render(
            request,
            "surveys/survey.html",
            {
                "invitation": invitation,
                "organisation": invitation.organisation,
                "survey": invitation.survey,
                "intro": invitation.survey.intro_en
                if language == "en"
                else invitation.survey.intro_nl,
                "rows": rows,
                "errors": {f"q{pk}": message for pk, message in errors.items()},
                "general_errors": [
                    message for pk, message in errors.items() if pk not in question_ids
                ],
                "language": language,
                "other_language": "en" if language == "nl" else "nl",
                "saved": request.GET.get("saved") == "1",
                "more": more,
                "tap": "" if errors else tap,
                "max_text": MAX_TEXT,
            },
            status=422 if errors else 200,
        )


@limit_per_client("link", "CXLOOP_RATELIMIT_LINKS")
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thank the customer after submitting; only for a link that was answered."""
    invitation = invitation_with_token(token)
    if invitation is None or invitation.status != Invitation.Status.ANSWERED:
        return redirect("survey", token=token)
    language = _language(request, invitation)
    with translation.override(language):
        return render(
            request,
            "surveys/thanks.html",
            {"organisation": invitation.organisation, "language": language},
        )
