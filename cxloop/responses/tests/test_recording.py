"""record_response, the core of the loop, through its public function: a save keeps answers as a
partial response, a later submit adds to it, a question that newly applies is asked before the
response closes, and conditions on conditions resolve (a cycle never shows its questions)."""

import pytest

from cxloop.conftest import interaction_payload
from cxloop.responses.models import Response
from cxloop.responses.services import AnswerRejected, record_response
from cxloop.surveys import authoring
from cxloop.surveys.models import Invitation, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast):
    """The cast's survey with a chain of conditions: a detractor is asked why, and when the reason is
    the waiting time (a CES of 6 or 7), how long; and two questions that depend on each other."""
    draft = authoring.draft_from(survey=cast.survey)
    nps = draft.questions.get(kind="nps")
    why = authoring.add_question(
        survey=draft,
        kind="ces",
        text_nl="Hoeveel moeite?",
        text_en="How much effort?",
        condition_question=nps,
        condition_min=0,
        condition_max=6,
    )
    how_long = authoring.add_question(
        survey=draft,
        kind="open",
        text_nl="Hoe lang wachtte u?",
        text_en="How long?",
        condition_question=why,
        condition_min=6,
        condition_max=7,
    )
    a = authoring.add_question(survey=draft, kind="csat", text_nl="A", text_en="A")
    b = authoring.add_question(
        survey=draft,
        kind="csat",
        text_nl="B",
        text_en="B",
        condition_question=a,
        condition_min=1,
        condition_max=5,
    )
    published = authoring.publish_survey(survey=draft)
    # The builder refuses a cycle; one stored before it did is guarded against at answer time.
    Question.objects.filter(pk=a.pk).update(condition_question=b, condition_min=1, condition_max=5)
    return published, nps, why, how_long, Question.objects.get(pk=a.pk), b


def shown(survey, *questions) -> list[int]:
    """What the page showed: the survey's unconditional questions and the ones given."""
    plain = survey[0].questions.filter(condition_question__isnull=True).values_list("pk", flat=True)
    return [*plain, *(q.pk for q in questions)]


@pytest.fixture
def invitation(cast, survey, post_interaction) -> Invitation:
    assert post_interaction(interaction_payload()).status_code == 201
    return Invitation.objects.get()


def test_a_save_keeps_the_answers_and_a_later_submit_adds_to_them(survey, invitation):
    _, nps, why, how_long, *_ = survey
    saved = record_response(invitation=invitation, answers={nps.pk: "3"}, submit=False)
    assert saved.submitted_at is None and saved.nps == 3  # a partial response: counts nowhere yet
    assert Invitation.objects.get().status != Invitation.Status.ANSWERED
    done = record_response(
        invitation=invitation,
        answers={why.pk: "7", how_long.pk: "Drie kwartier"},
        submit=True,
        seen=shown(survey, why, how_long),
    )
    assert done.pk == saved.pk and done.submitted_at is not None
    assert (done.nps, done.ces) == (3, 7)  # the earlier answer kept, the new ones added
    assert Invitation.objects.get().status == Invitation.Status.ANSWERED
    assert Response.objects.count() == 1


def test_a_question_that_newly_applies_is_asked_before_the_response_closes(survey, invitation):
    _, nps, why, how_long, *_ = survey
    first = record_response(
        invitation=invitation, answers={nps.pk: "2"}, submit=True, seen=shown(survey)
    )
    assert first.submitted_at is None  # the detractor question now applies: ask it first
    second = record_response(
        invitation=invitation, answers={why.pk: "6"}, submit=True, seen=shown(survey, why)
    )
    assert second.submitted_at is None  # and then "how long", which its answer made apply
    last = record_response(
        invitation=invitation,
        answers={how_long.pk: "Een uur"},
        submit=True,
        seen=shown(survey, why, how_long),
    )
    assert last.submitted_at is not None


def test_answers_to_questions_that_no_longer_apply_are_dropped(survey, invitation):
    _, nps, why, how_long, *_ = survey
    record_response(invitation=invitation, answers={nps.pk: "2", why.pk: "7"}, submit=False)
    changed = record_response(
        invitation=invitation, answers={nps.pk: "10"}, submit=True, seen=shown(survey)
    )
    assert changed.submitted_at is not None and changed.nps == 10
    assert changed.ces is None  # the effort question no longer applies to a promoter


def test_questions_conditional_on_each_other_are_never_shown_nor_kept(survey, invitation):
    _, nps, _why, _how_long, a, b = survey
    kept = record_response(
        invitation=invitation,
        answers={nps.pk: "9", a.pk: "4", b.pk: "4"},
        submit=True,
        seen=shown(survey, a, b),
    )
    assert kept.submitted_at is not None
    assert not kept.answers.filter(question__in=[a, b]).exists()  # a cycle never holds


def test_an_answer_out_of_range_is_refused_and_nothing_changes(survey, invitation):
    _, nps, *_ = survey
    with pytest.raises(AnswerRejected) as refused:
        record_response(invitation=invitation, answers={nps.pk: "11"}, submit=True)
    assert nps.pk in refused.value.errors
    assert not Response.objects.exists()
