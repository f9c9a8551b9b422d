"""The public survey page a customer reaches from the invitation link."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cxloop.responses.models import Response
from cxloop.responses.services import AnswerRejected, record_response
from cxloop.surveys.models import Invitation, Question
from cxloop.surveys.services import SurveyLinkError, hash_token, open_survey_link

LINK_ERROR_STATUS = {"unknown": 404, "expired": 410, "used": 410}


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    requested = request.GET.get("lang") or request.POST.get("lang")
    if requested in {"nl", "en"}:
        return requested
    return invitation.customer.language if invitation else "nl"


def _questions_with_answers(invitation: Invitation, response: Response | None, language: str) -> list[dict]:
    answers = {a.question_id: a for a in response.answers.all()} if response else {}
    rows = []
    for question in invitation.survey.questions.all():
        answer = answers.get(question.pk)
        scale = question.scale
        rows.append(
            {
                "question": question,
                "text": question.text(language),
                "field": f"q{question.pk}",
                "choices": list(range(scale[0], scale[1] + 1)) if scale else None,
                "value": "" if answer is None else (answer.number if answer.number is not None else answer.text),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey, record a tapped score at once, keep partial answers, submit."""
    try:
        invitation = open_survey_link(token=token)
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
    errors: dict[int, str] = {}
    if request.method == "POST":
        raw = {q.pk: request.POST.get(f"q{q.pk}", "") for q in invitation.survey.questions.all()}
        submit = request.POST.get("action") != "save"
        try:
            record_response(invitation=invitation, answers=raw, submit=submit)
        except AnswerRejected as rejected:
            errors = rejected.errors
        else:
            if submit:
                return redirect(f"{reverse('survey_thanks', kwargs={'token': token})}?lang={language}")
            return redirect(f"{request.path}?lang={language}&saved=1")
    elif "nps" in request.GET:
        # One tap in the e-mail: keep the score at once, even if the customer goes no further.
        nps_question = invitation.survey.questions.filter(kind=Question.Kind.NPS).first()
        if nps_question is not None:
            try:
                record_response(invitation=invitation, answers={nps_question.pk: request.GET["nps"]}, submit=False)
            except AnswerRejected as rejected:
                errors = rejected.errors
    response = Response.objects.filter(invitation=invitation).prefetch_related("answers").first()
    with translation.override(language):
        return render(
            request,
            "surveys/survey.html",
            {
                "invitation": invitation,
                "organisation": invitation.organisation,
                "survey": invitation.survey,
                "intro": invitation.survey.intro_en if language == "en" else invitation.survey.intro_nl,
                "rows": _questions_with_answers(invitation, response, language),
                "errors": {f"q{pk}": message for pk, message in errors.items()},
                "language": language,
                "other_language": "en" if language == "nl" else "nl",
                "saved": request.GET.get("saved") == "1",
            },
            status=422 if errors else 200,
        )


def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thank the customer after submitting; only for a link that was answered."""
    invitation = (
        Invitation.objects.select_related("organisation", "customer").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None or invitation.status != Invitation.Status.ANSWERED:
        return redirect("survey", token=token)
    language = _language(request, invitation)
    with translation.override(language):
        return render(
            request, "surveys/thanks.html", {"organisation": invitation.organisation, "language": language}
        )
