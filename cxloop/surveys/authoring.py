"""Writing surveys: drafts, their questions, new versions and publishing.

A published version never changes: editing starts a draft (the next version of the family, with
copies of the questions), and publishing the draft archives the version that was published before.
Responses keep pointing at the version they answered.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cxloop.audit.services import Actor, record_change, snapshot
from cxloop.journeys.models import Touchpoint
from cxloop.orgs.models import Organisation
from cxloop.surveys.models import Question, Survey

StrOrPromise = str | Promise
CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.MULTIPLE}
MAX_CHOICE_VALUE = 50
# What the audit log keeps of a survey and of a question, before and after each edit.
SURVEY_FIELDS = ["name", "intro_nl", "intro_en", "status", "version", "family"]
QUESTION_FIELDS = [
    "survey",
    "position",
    "kind",
    "text_nl",
    "text_en",
    "required",
    "choices",
    "touchpoint",
    "condition_question",
    "condition_min",
    "condition_max",
]


class SurveyEditError(Exception):
    """An edit that cannot be made; `field` names the form field it is about (or None for the whole form)."""

    def __init__(self, message: StrOrPromise, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(str(message))


def parse_choices(text: str) -> list[dict[str, str]]:
    """Read choices written one per line as `value | Dutch | English`."""
    choices: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise SurveyEditError(
                format_lazy(
                    _("Line {number}: write a choice as 'value | Dutch | English'."), number=number
                ),
                field="choices",
            )
        choices.append({"value": parts[0], "nl": parts[1], "en": parts[2]})
    return choices


def format_choices(choices: Sequence[dict[str, Any]]) -> str:
    """Write choices back as the lines `parse_choices` reads."""
    return "\n".join(
        f"{c.get('value', '')} | {c.get('nl', '')} | {c.get('en', '')}" for c in choices
    )


def usable_touchpoints(*, organisation_id: int) -> QuerySet[Touchpoint]:
    """The touchpoints an organisation's questions may be about: those of journey types it owns or takes part in."""
    return (
        Touchpoint.objects.filter(
            Q(journey_type__owner_id=organisation_id)
            | Q(journey_type__agreements__organisation_id=organisation_id)
        )
        .distinct()
        .select_related("journey_type")
        .order_by("journey_type__name", "position", "pk")
    )


def _check_editable(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise SurveyEditError(
            _(
                "This version is published or archived and cannot change; start a new version to edit it."
            )
        )


def _check_choices(kind: str, choices: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    if kind not in CHOICE_KINDS:
        if choices:
            raise SurveyEditError(
                _("Only single and multiple choice questions have choices."), field="choices"
            )
        return []
    cleaned = []
    for choice in choices:
        value, nl, en = (str(choice.get(key) or "").strip() for key in ("value", "nl", "en"))
        if not (value and nl and en):
            raise SurveyEditError(
                _("Every choice needs a value, a Dutch and an English text."), field="choices"
            )
        if len(value) > MAX_CHOICE_VALUE:
            raise SurveyEditError(
                format_lazy(
                    _("A choice value has at most {count} characters."), count=MAX_CHOICE_VALUE
                ),
                field="choices",
            )
        cleaned.append({"value": value, "nl": nl, "en": en})
    values = [c["value"] for c in cleaned]
    if len(set(values)) != len(values):
        raise SurveyEditError(_("Each choice needs its own value."), field="choices")
    if len(cleaned) < 2:
        raise SurveyEditError(_("A choice question needs at least two choices."), field="choices")
    return cleaned


def _check_touchpoint(survey: Survey, kind: str, touchpoint: Touchpoint | None) -> None:
    if touchpoint is None:
        return
    if kind == Question.Kind.MOMENT:
        raise SurveyEditError(
            _(
                "A 'moment' question has no touchpoint: the customer picks one of their own journey."
            ),
            field="touchpoint",
        )
    if (
        not usable_touchpoints(organisation_id=survey.organisation_id)
        .filter(pk=touchpoint.pk)
        .exists()
    ):
        raise SurveyEditError(
            _("Choose a touchpoint of your organisation's journeys."), field="touchpoint"
        )


def _check_condition(
    survey: Survey,
    question: Question | None,
    condition_question: Question | None,
    condition_min: int | None,
    condition_max: int | None,
) -> None:
    if condition_question is None:
        if condition_min is not None or condition_max is not None:
            raise SurveyEditError(
                _("Choose the question whose score the condition is about."),
                field="condition_question",
            )
        return
    if condition_question.survey_id != survey.pk:
        raise SurveyEditError(
            _("The condition must be about a question of this survey."), field="condition_question"
        )
    if condition_question.scale is None:
        raise SurveyEditError(
            _("A condition can only be about an NPS, CSAT or CES question."),
            field="condition_question",
        )
    if condition_min is None or condition_max is None:
        raise SurveyEditError(
            _("Give the lowest and the highest score of the condition."), field="condition_min"
        )
    low, high = condition_question.scale
    if not low <= condition_min <= condition_max <= high:
        raise SurveyEditError(
            format_lazy(
                _("The condition needs {low} ≤ lowest ≤ highest ≤ {high}."), low=low, high=high
            ),
            field="condition_min",
        )
    if question is not None and _depends_on(condition_question, question.pk):
        raise SurveyEditError(
            _("A question cannot depend on itself, not even through another question."),
            field="condition_question",
        )


def _depends_on(question: Question, ancestor_id: int) -> bool:
    """Whether the question is, or through its conditions leads to, the given question."""
    seen: set[int] = set()
    current: Question | None = question
    while current is not None and current.pk not in seen:
        if current.pk == ancestor_id:
            return True
        seen.add(current.pk)
        current = current.condition_question
    return False


def _validated(
    *,
    survey: Survey,
    question: Question | None,
    kind: str,
    text_nl: str,
    text_en: str,
    choices: Sequence[dict[str, Any]],
    touchpoint: Touchpoint | None,
    condition_question: Question | None,
    condition_min: int | None,
    condition_max: int | None,
) -> dict[str, Any]:
    """The question's fields after every check, or SurveyEditError."""
    _check_editable(survey)
    if kind not in Question.Kind.values:
        raise SurveyEditError(_("Choose a kind of question."), field="kind")
    if not text_nl.strip():
        raise SurveyEditError(_("The Dutch text is required."), field="text_nl")
    if not text_en.strip():
        raise SurveyEditError(_("The English text is required."), field="text_en")
    cleaned_choices = _check_choices(kind, choices)
    _check_touchpoint(survey, kind, touchpoint)
    _check_condition(survey, question, condition_question, condition_min, condition_max)
    if (
        question is not None
        and kind not in Question.SCALES
        and question.dependent_questions.exists()
    ):
        raise SurveyEditError(
            _("Other questions depend on this question's score; it must stay a scale."),
            field="kind",
        )
    return {
        "kind": kind,
        "text_nl": text_nl.strip(),
        "text_en": text_en.strip(),
        "choices": cleaned_choices,
        "touchpoint": touchpoint,
        "condition_question": condition_question,
        "condition_min": condition_min if condition_question else None,
        "condition_max": condition_max if condition_question else None,
    }


def _record(
    actor: Actor, action: str, target: Survey | Question, survey: Survey, **entry: Any
) -> None:
    record_change(
        actor=actor, action=action, target=target, organisation=survey.organisation, **entry
    )


@transaction.atomic
def create_survey(
    *,
    organisation: Organisation,
    name: str,
    intro_nl: str = "",
    intro_en: str = "",
    actor: Actor = None,
) -> Survey:
    """Start a new survey family with a draft first version."""
    if not name.strip():
        raise SurveyEditError(_("The survey needs a name."), field="name")
    survey = Survey.objects.create(
        organisation=organisation,
        name=name.strip(),
        intro_nl=intro_nl.strip(),
        intro_en=intro_en.strip(),
        status=Survey.Status.DRAFT,
        version=1,
    )
    _record(actor, "survey.created", survey, survey, after=snapshot(survey, SURVEY_FIELDS))
    return survey


@transaction.atomic
def update_survey(
    *, survey: Survey, name: str, intro_nl: str = "", intro_en: str = "", actor: Actor = None
) -> Survey:
    """Change a draft's name and introduction texts."""
    _check_editable(survey)
    if not name.strip():
        raise SurveyEditError(_("The survey needs a name."), field="name")
    before = snapshot(survey, SURVEY_FIELDS)
    survey.name, survey.intro_nl, survey.intro_en = name.strip(), intro_nl.strip(), intro_en.strip()
    survey.save(update_fields=["name", "intro_nl", "intro_en"])
    after = snapshot(survey, SURVEY_FIELDS)
    if after != before:
        _record(actor, "survey.changed", survey, survey, before=before, after=after)
    return survey


@transaction.atomic
def add_question(
    *,
    survey: Survey,
    kind: str,
    text_nl: str,
    text_en: str,
    required: bool = False,
    choices: Sequence[dict[str, Any]] = (),
    touchpoint: Touchpoint | None = None,
    condition_question: Question | None = None,
    condition_min: int | None = None,
    condition_max: int | None = None,
    actor: Actor = None,
) -> Question:
    """Add a question at the end of a draft."""
    fields = _validated(
        survey=survey,
        question=None,
        kind=kind,
        text_nl=text_nl,
        text_en=text_en,
        choices=choices,
        touchpoint=touchpoint,
        condition_question=condition_question,
        condition_min=condition_min,
        condition_max=condition_max,
    )
    last = survey.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question.objects.create(
        survey=survey, position=last + 1, required=required, **fields
    )
    _record(actor, "question.added", question, survey, after=snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def update_question(
    *,
    question: Question,
    kind: str,
    text_nl: str,
    text_en: str,
    required: bool = False,
    choices: Sequence[dict[str, Any]] = (),
    touchpoint: Touchpoint | None = None,
    condition_question: Question | None = None,
    condition_min: int | None = None,
    condition_max: int | None = None,
    actor: Actor = None,
) -> Question:
    """Change a question of a draft."""
    fields = _validated(
        survey=question.survey,
        question=question,
        kind=kind,
        text_nl=text_nl,
        text_en=text_en,
        choices=choices,
        touchpoint=touchpoint,
        condition_question=condition_question,
        condition_min=condition_min,
        condition_max=condition_max,
    )
    before = snapshot(question, QUESTION_FIELDS)
    for name, value in {**fields, "required": required}.items():
        setattr(question, name, value)
    question.save()
    after = snapshot(question, QUESTION_FIELDS)
    if after != before:
        _record(actor, "question.changed", question, question.survey, before=before, after=after)
    return question


@transaction.atomic
def delete_question(*, question: Question, actor: Actor = None) -> None:
    """Remove a question from a draft, unless other questions depend on it."""
    _check_editable(question.survey)
    if question.dependent_questions.exists():
        raise SurveyEditError(
            _("Other questions are asked depending on this one; change their condition first.")
        )
    if question.answers.exists():
        raise SurveyEditError(_("This question has answers and cannot be removed."))
    before = snapshot(question, QUESTION_FIELDS)
    _record(actor, "question.removed", question, question.survey, before=before)
    question.delete()


@transaction.atomic
def move_question(*, question: Question, up: bool, actor: Actor = None) -> None:
    """Move a question of a draft one place up or down."""
    _check_editable(question.survey)
    ordered = list(question.survey.questions.select_for_update().order_by("position", "pk"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    before = {"position": ordered[index].position}
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    Question.objects.bulk_update(ordered, ["position"])
    moved = next(q for q in ordered if q.pk == question.pk)
    if moved.position != before["position"]:
        after = {"position": moved.position}
        _record(actor, "question.moved", moved, question.survey, before=before, after=after)


def _family(root_id: int) -> Q:
    return Q(pk=root_id) | Q(family_id=root_id)


@transaction.atomic
def draft_from(*, survey: Survey, actor: Actor = None) -> Survey:
    """The family's draft to edit: the existing one, or a new version copied from this one."""
    root_id = survey.root_id
    Survey.objects.select_for_update().filter(
        pk=root_id
    ).first()  # one editor at a time makes the draft
    existing = (
        Survey.objects.filter(_family(root_id), status=Survey.Status.DRAFT)
        .order_by("-version")
        .first()
    )
    if existing is not None:
        return existing
    newest = (
        Survey.objects.filter(_family(root_id)).aggregate(newest=Max("version"))["newest"]
        or survey.version
    )
    draft = Survey.objects.create(
        organisation_id=survey.organisation_id,
        family_id=root_id,
        version=newest + 1,
        status=Survey.Status.DRAFT,
        name=survey.name,
        intro_nl=survey.intro_nl,
        intro_en=survey.intro_en,
    )
    _copy_questions(survey, draft)
    after = snapshot(draft, SURVEY_FIELDS)
    detail = f"copied from version {survey.version}"
    _record(actor, "survey.draft_started", draft, draft, after=after, detail=detail)
    return draft


def _copy_questions(source: Survey, target: Survey) -> None:
    originals = list(source.questions.order_by("position", "pk"))
    copies = Question.objects.bulk_create(
        [
            Question(
                survey=target,
                position=q.position,
                kind=q.kind,
                text_nl=q.text_nl,
                text_en=q.text_en,
                required=q.required,
                choices=q.choices,
                touchpoint_id=q.touchpoint_id,
                condition_min=q.condition_min,
                condition_max=q.condition_max,
            )
            for q in originals
        ]
    )
    copy_of = {original.pk: copy for original, copy in zip(originals, copies, strict=True)}
    conditional = []
    for original, copy in zip(originals, copies, strict=True):
        if original.condition_question_id in copy_of:
            copy.condition_question = copy_of[original.condition_question_id]
            conditional.append(copy)
    Question.objects.bulk_update(conditional, ["condition_question"])


@transaction.atomic
def publish_survey(*, survey: Survey, actor: Actor = None) -> Survey:
    """Publish a draft and archive the version of the family that was published before."""
    Survey.objects.select_for_update().filter(pk=survey.root_id).first()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_editable(survey)
    _check_publishable(survey)
    archived = Survey.objects.filter(
        _family(survey.root_id), status=Survey.Status.PUBLISHED
    ).exclude(pk=survey.pk)
    archived_versions = sorted(archived.values_list("version", flat=True))
    archived.update(status=Survey.Status.ARCHIVED)
    before = snapshot(survey, ["status", "published_at"])
    survey.status = Survey.Status.PUBLISHED
    survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at"])
    after = snapshot(survey, ["status", "published_at"])
    detail = (
        f"archived version {', '.join(map(str, archived_versions))}" if archived_versions else ""
    )
    _record(actor, "survey.published", survey, survey, before=before, after=after, detail=detail)
    return survey


def _check_publishable(survey: Survey) -> None:
    questions = list(survey.questions.select_related("condition_question"))
    if not questions:
        raise SurveyEditError(_("Add at least one question before publishing."))
    for question in questions:
        if question.kind in CHOICE_KINDS:
            _check_choices(question.kind, question.choices)
        if question.condition_question is not None:
            _check_condition(
                survey,
                question,
                question.condition_question,
                question.condition_min,
                question.condition_max,
            )
