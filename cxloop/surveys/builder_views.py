"""The survey builder for journey owners and organisation admins: server-rendered, no JavaScript needed."""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cxloop.journeys.models import Touchpoint
from cxloop.orgs.capabilities import Capability, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.surveys import authoring
from cxloop.surveys.authoring import StrOrPromise, SurveyEditError
from cxloop.surveys.models import Question, Survey

# Forms: they translate the posted strings into the services' arguments.


class SurveyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    intro_nl = forms.CharField(
        label=_("Introduction (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations: list[Organisation] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
            if len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0]


class TouchpointField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Touchpoint) -> str:
        return f"{obj.journey_type.name}: {obj.name}"


class ConditionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        return f"{obj.position}. {obj.text_en} ({obj.get_kind_display()})"


@dataclass
class QuestionOptions:
    """What a question form offers: the organisation's touchpoints and the survey's scale questions."""

    touchpoints: list[Touchpoint]
    scales: list[Question]

    @classmethod
    def of(cls, survey: Survey) -> "QuestionOptions":
        touchpoints = authoring.usable_touchpoints(organisation_id=survey.organisation_id)
        scales = survey.questions.filter(kind__in=list(Question.SCALES))
        return cls(list(touchpoints), list(scales))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text_nl = forms.CharField(
        label=_("Question in Dutch"), widget=forms.Textarea(attrs={"rows": 2, "lang": "nl"})
    )
    text_en = forms.CharField(
        label=_("Question in English"), widget=forms.Textarea(attrs={"rows": 2, "lang": "en"})
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Single and multiple choice only: one per line as value | Dutch | English"),
    )
    touchpoint = TouchpointField(
        label=_("Touchpoint"),
        queryset=Touchpoint.objects.none(),
        required=False,
        help_text=_(
            "Optional: the answer is attributed to whoever handled this touchpoint in the customer's journey"
        ),
    )
    condition_question = ConditionField(
        label=_("Only ask when the score of"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("(always ask)"),
    )
    condition_min = forms.IntegerField(label=_("is at least"), required=False)
    condition_max = forms.IntegerField(label=_("and at most"), required=False)

    def __init__(
        self,
        *args,
        survey: Survey,
        question: Question | None = None,
        options: "QuestionOptions | None" = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        options = options or QuestionOptions.of(survey)
        self.fields["touchpoint"].queryset = authoring.usable_touchpoints(
            organisation_id=survey.organisation_id
        )
        self.fields["condition_question"].queryset = survey.questions.filter(
            kind__in=list(Question.SCALES)
        ).exclude(pk=question.pk if question else None)
        # Choices from lists read once per page, so a page with many questions reads them once.
        touchpoint_field, condition_field = (
            self.fields["touchpoint"],
            self.fields["condition_question"],
        )
        touchpoint_field.choices = [("", touchpoint_field.empty_label)] + [
            (t.pk, touchpoint_field.label_from_instance(t)) for t in options.touchpoints
        ]
        condition_field.choices = [("", condition_field.empty_label)] + [
            (q.pk, condition_field.label_from_instance(q))
            for q in options.scales
            if question is None or q.pk != question.pk
        ]

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "kind": question.kind,
            "text_nl": question.text_nl,
            "text_en": question.text_en,
            "required": question.required,
            "choices": authoring.format_choices(question.choices),
            "touchpoint": question.touchpoint_id,
            "condition_question": question.condition_question_id,
            "condition_min": question.condition_min,
            "condition_max": question.condition_max,
        }

    def clean_choices(self) -> list[dict[str, str]]:
        try:
            return authoring.parse_choices(self.cleaned_data.get("choices") or "")
        except SurveyEditError as error:
            raise forms.ValidationError(error.message) from error


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
    questions = list(
        survey.questions.select_related("touchpoint__journey_type", "condition_question")
    )
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
