"""The survey builder for journey owners and organisation admins: server-rendered, no JavaScript needed."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cxloop.surveys import authoring
from cxloop.surveys.authoring import StrOrPromise, SurveyEditError
from cxloop.surveys.forms import QuestionForm, QuestionOptions, SurveyForm
from cxloop.surveys.models import Question, Survey
from cxloop.surveys.queries import (
    access_question,
    access_survey,
    builder_organisations,
    builder_questions,
    survey_families,
)


def _apply(form: forms.Form, call) -> bool:
    """Run a service; put its SurveyEditError on the form's field (or the form) instead of raising."""
    try:
        call()
    except SurveyEditError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


# Views.


def _to_question(question: Question) -> HttpResponse:
    return redirect(
        f"{reverse('builder_survey', kwargs={'pk': question.survey_id})}#question-{question.pk}"
    )


def _detail_page(
    request: HttpRequest,
    survey: Survey,
    *,
    add_form: QuestionForm | None = None,
    bound: dict[int, QuestionForm] | None = None,
    settings_form: SurveyForm | None = None,
    page_error: StrOrPromise = "",
    status: int = 200,
) -> HttpResponse:
    questions = builder_questions(survey)
    editable = survey.status == Survey.Status.DRAFT
    bound = bound or {}
    options = QuestionOptions.of(survey) if editable else QuestionOptions([], [])
    rows = [
        {
            "question": question,
            "form": bound.get(question.pk)
            or QuestionForm(
                survey=survey,
                question=question,
                prefix=f"q{question.pk}",
                initial=QuestionForm.initial_for(question),
                options=options,
            ),
            "first": index == 0,
            "last": index == len(questions) - 1,
        }
        for index, question in enumerate(questions)
    ]
    if not page_error and not editable and status >= 400:
        page_error = _(
            "This version is published and cannot change; start a new version to edit it."
        )
    family = survey_families(organisation_ids=[survey.organisation_id], root_id=survey.root_id)
    draft = (
        next((v for v in family[0].versions if v.status == Survey.Status.DRAFT), None)
        if family
        else None
    )
    context = {
        "survey": survey,
        "editable": editable,
        "rows": rows if editable else [],
        "questions": questions,
        "add_form": add_form or QuestionForm(survey=survey, prefix="new", options=options),
        "settings_form": settings_form
        or SurveyForm(
            initial={"name": survey.name, "intro_nl": survey.intro_nl, "intro_en": survey.intro_en}
        ),
        "family": family[0] if family else None,
        "draft": draft,
        "page_error": page_error,
    }
    return render(request, "surveys/builder/detail.html", context, status=status)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The survey families of the user's organisations."""
    organisations = builder_organisations(request.user)
    if not organisations:
        raise Http404
    families = survey_families(organisation_ids=[o.pk for o in organisations])
    return render(
        request, "surveys/builder/list.html", {"families": families, "organisations": organisations}
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    """Start a new survey: a draft first version."""
    organisations = builder_organisations(request.user)
    if not organisations:
        raise Http404
    if request.method == "GET":
        return render(
            request, "surveys/builder/new.html", {"form": SurveyForm(organisations=organisations)}
        )
    form = SurveyForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            survey = authoring.create_survey(**form.cleaned_data, actor=request.user)
        except SurveyEditError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("builder_survey", pk=survey.pk)
    return render(request, "surveys/builder/new.html", {"form": form}, status=422)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version with its questions; a draft with the forms to edit them."""
    return _detail_page(request, access_survey(request.user, pk))


@login_required
@require_POST
def survey_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft's name and introduction."""
    survey = access_survey(request.user, pk)
    form = SurveyForm(request.POST)
    if form.is_valid() and _apply(
        form,
        lambda: authoring.update_survey(survey=survey, **form.cleaned_data, actor=request.user),
    ):
        return redirect("builder_survey", pk=survey.pk)
    return _detail_page(request, survey, settings_form=form, status=422)


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a question at the end of a draft."""
    survey = access_survey(request.user, pk)
    form = QuestionForm(request.POST, survey=survey, prefix="new")
    if form.is_valid() and _apply(
        form,
        lambda: authoring.add_question(survey=survey, **form.cleaned_data, actor=request.user),
    ):
        return redirect("builder_survey", pk=survey.pk)
    return _detail_page(request, survey, add_form=form, status=422)


@login_required
@require_POST
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Change a question of a draft."""
    survey = access_survey(request.user, pk)
    question = access_question(survey, question_pk)
    form = QuestionForm(request.POST, survey=survey, question=question, prefix=f"q{question.pk}")
    if form.is_valid() and _apply(
        form,
        lambda: authoring.update_question(
            question=question, **form.cleaned_data, actor=request.user
        ),
    ):
        return _to_question(question)
    return _detail_page(request, survey, bound={question.pk: form}, status=422)


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Remove a question from a draft."""
    survey = access_survey(request.user, pk)
    question = access_question(survey, question_pk)
    try:
        authoring.delete_question(question=question, actor=request.user)
    except SurveyEditError as error:
        return _detail_page(request, survey, page_error=error.message, status=422)
    return redirect("builder_survey", pk=survey.pk)


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Move a question of a draft one place up or down."""
    survey = access_survey(request.user, pk)
    question = access_question(survey, question_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _detail_page(
            request, survey, page_error=_("Move a question up or down."), status=400
        )
    try:
        authoring.move_question(question=question, up=direction == "up", actor=request.user)
    except SurveyEditError as error:
        return _detail_page(request, survey, page_error=error.message, status=422)
    return _to_question(question)


@login_required
@require_POST
def survey_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Start editing: the family's draft, made from this version when there is none."""
    survey = access_survey(request.user, pk)
    draft = authoring.draft_from(survey=survey, actor=request.user)
    return redirect("builder_survey", pk=draft.pk)


@login_required
@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft; new invitations get it from now on."""
    survey = access_survey(request.user, pk)
    try:
        authoring.publish_survey(survey=survey, actor=request.user)
    except SurveyEditError as error:
        return _detail_page(request, survey, page_error=error.message, status=422)
    return redirect("builder_survey", pk=survey.pk)
