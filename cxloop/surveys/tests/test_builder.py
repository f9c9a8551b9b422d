"""The survey builder: journey owners write, version and publish surveys; nobody else gets in."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cxloop.conftest import interaction_payload
from cxloop.journeys.models import Touchpoint
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role
from cxloop.responses.models import Answer, Response
from cxloop.surveys import authoring
from cxloop.surveys.models import Invitation, Survey
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(cast) -> Client:
    """A journey owner ("klanteigenaar") of Leasewijs."""
    user = get_user_model().objects.create_user(username="jolien")
    grant_role(user=user, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    return english(cast.client_for(user))


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def question_data(kind: str, nl: str, en: str, **extra) -> dict:
    data = {"new-kind": kind, "new-text_nl": nl, "new-text_en": en}
    data.update({f"new-{key}": value for key, value in extra.items()})
    return data


def add(client: Client, survey: Survey, data: dict):
    return client.post(f"/surveys/{survey.pk}/questions/", data)


def test_a_journey_owner_builds_and_publishes_a_survey_with_every_kind_of_question(cast, owner):
    created = owner.post(
        "/surveys/new/", {"organisation": cast.owner.pk, "name": "Na de reparatie"}
    )
    assert created.status_code == 302
    survey = Survey.objects.get(name="Na de reparatie")
    assert (survey.organisation, survey.version, survey.status, survey.family) == (
        cast.owner,
        1,
        "draft",
        None,
    )

    assert (
        add(
            owner, survey, question_data("nps", "Aanbevelen?", "Recommend?", required="on")
        ).status_code
        == 302
    )
    nps = survey.questions.get(kind="nps")
    for kind in ("csat", "ces"):
        assert (
            add(owner, survey, question_data(kind, f"{kind} nl", f"{kind} en")).status_code == 302
        )
    detractor = question_data(
        "open",
        "Wat kunnen we beter doen?",
        "What can we do better?",
        condition_question=nps.pk,
        condition_min=0,
        condition_max=6,
    )
    assert add(owner, survey, detractor).status_code == 302
    choices = "prijs | Prijs | Price\nsnelheid | Snelheid | Speed\n\n"
    assert (
        add(
            owner, survey, question_data("single", "Wat telt?", "What matters?", choices=choices)
        ).status_code
        == 302
    )
    assert (
        add(
            owner, survey, question_data("multiple", "Waarover?", "About what?", choices=choices)
        ).status_code
        == 302
    )
    assert (
        add(owner, survey, question_data("moment", "Welk moment?", "Which moment?")).status_code
        == 302
    )
    about = question_data("csat", "Het melden?", "Reporting?", touchpoint=cast.touchpoint.pk)
    assert add(owner, survey, about).status_code == 302

    questions = list(survey.questions.all())
    assert [q.kind for q in questions] == [
        "nps",
        "csat",
        "ces",
        "open",
        "single",
        "multiple",
        "moment",
        "csat",
    ]
    assert [q.position for q in questions] == list(range(1, 9))
    assert questions[0].required and not questions[1].required
    assert (
        questions[3].condition_question,
        questions[3].condition_min,
        questions[3].condition_max,
    ) == (nps, 0, 6)
    assert questions[4].choices == [
        {"value": "prijs", "nl": "Prijs", "en": "Price"},
        {"value": "snelheid", "nl": "Snelheid", "en": "Speed"},
    ]
    assert questions[7].touchpoint == cast.touchpoint

    page = owner.get(f"/surveys/{survey.pk}/")
    assert page.status_code == 200
    assert "Wat kunnen we beter doen?" in page.content.decode()

    assert owner.post(f"/surveys/{survey.pk}/publish/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.PUBLISHED and survey.published_at is not None
    listing = owner.get("/surveys/").content.decode()
    assert "Na de reparatie" in listing and "Na contact" in listing


def test_questions_can_be_edited_moved_and_deleted_in_a_draft(cast, owner):
    survey = authoring.create_survey(organisation=cast.owner, name="Kort")
    first = authoring.add_question(
        survey=survey, kind="nps", text_nl="Aanbevelen?", text_en="Recommend?"
    )
    second = authoring.add_question(survey=survey, kind="open", text_nl="Waarom?", text_en="Why?")

    edited = owner.post(
        f"/surveys/{survey.pk}/questions/{second.pk}/",
        {
            f"q{second.pk}-kind": "open",
            f"q{second.pk}-text_nl": "Waarom dat cijfer?",
            f"q{second.pk}-text_en": "Why that score?",
            f"q{second.pk}-required": "on",
        },
    )
    assert edited.status_code == 302
    second.refresh_from_db()
    assert (second.text_nl, second.required) == ("Waarom dat cijfer?", True)

    assert (
        owner.post(
            f"/surveys/{survey.pk}/questions/{second.pk}/move/", {"direction": "up"}
        ).status_code
        == 302
    )
    assert list(survey.questions.values_list("pk", flat=True)) == [second.pk, first.pk]
    assert (
        owner.post(
            f"/surveys/{survey.pk}/questions/{second.pk}/move/", {"direction": "sideways"}
        ).status_code
        == 400
    )

    assert owner.post(f"/surveys/{survey.pk}/questions/{second.pk}/delete/").status_code == 302
    assert list(survey.questions.all()) == [first]


def test_editing_a_published_survey_makes_a_new_version_and_leaves_the_old_one_alone(
    cast, owner, post_interaction, client, django_capture_on_commit_callbacks
):
    # A customer answers version 1 (the cast's survey, which the rule points at).
    post_interaction(interaction_payload())
    path = survey_path_from_outbox("klant@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {f"q{cast.nps_question.pk}": "8", "action": "submit"})
    v1 = cast.survey
    v1_questions = list(v1.questions.values_list("pk", "text_nl", "position"))

    # Editing version 1 directly is refused; "edit" starts version 2 with copies of the questions.
    refused = add(owner, v1, question_data("csat", "Tevreden?", "Satisfied?"))
    assert refused.status_code == 422
    assert "cannot change" in refused.content.decode()
    started = owner.post(f"/surveys/{v1.pk}/draft/")
    assert started.status_code == 302
    v2 = Survey.objects.get(family=v1)
    assert started["Location"] == f"/surveys/{v2.pk}/"
    assert (v2.version, v2.status, v2.organisation, v2.name) == (2, "draft", cast.owner, v1.name)
    assert (
        owner.post(f"/surveys/{v1.pk}/draft/")["Location"] == f"/surveys/{v2.pk}/"
    )  # one draft at a time
    copied = list(v2.questions.all())
    assert [(q.kind, q.text_nl) for q in copied] == [
        ("nps", cast.nps_question.text_nl),
        ("open", cast.open_question.text_nl),
    ]
    assert {q.pk for q in copied}.isdisjoint({cast.nps_question.pk, cast.open_question.pk})

    assert add(owner, v2, question_data("csat", "Tevreden?", "Satisfied?")).status_code == 302
    question = v2.questions.get(kind="open")
    changed = owner.post(
        f"/surveys/{v2.pk}/questions/{question.pk}/",
        {
            f"q{question.pk}-kind": "open",
            f"q{question.pk}-text_nl": "Toelichting?",
            f"q{question.pk}-text_en": "Why?",
        },
    )
    assert changed.status_code == 302
    assert list(v1.questions.values_list("pk", "text_nl", "position")) == v1_questions
    response = Response.objects.get()
    assert response.survey == v1
    assert set(Answer.objects.values_list("question__survey", flat=True)) == {v1.pk}

    # Publishing version 2 archives version 1; the old response still points at version 1.
    assert owner.post(f"/surveys/{v2.pk}/publish/").status_code == 302
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "published")
    response.refresh_from_db()
    assert response.survey == v1

    # An invitation planned now (by the rule pointing at the family's root) gets version 2.
    post_interaction(
        interaction_payload(
            "call-2",
            customer={"key": "K-2", "email": "ander@example.nl", "language": "nl"},
            journey_id="claim-456",
        )
    )
    invitation = Invitation.objects.get(customer__key="K-2")
    assert invitation.survey == v2
    page = Client().get(survey_path_from_outbox("ander@example.nl")).content.decode()
    assert "Tevreden?" in page and "Toelichting?" in page


def test_a_new_version_keeps_conditions_pointing_at_its_own_questions(cast):
    draft = authoring.draft_from(survey=cast.survey)
    nps = draft.questions.get(kind="nps")
    authoring.add_question(
        survey=draft,
        kind="open",
        text_nl="Wat beter?",
        text_en="What better?",
        condition_question=nps,
        condition_min=0,
        condition_max=6,
    )
    authoring.publish_survey(survey=draft)
    v3 = authoring.draft_from(survey=draft)
    conditional = v3.questions.get(condition_question__isnull=False)
    assert conditional.condition_question.survey == v3
    assert conditional.condition_question.kind == "nps"
    assert (v3.version, v3.family_id) == (3, cast.survey.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (question_data("open", "Waarom?", ""), "This field is required"),
        (
            question_data("single", "Wat?", "What?", choices="prijs | Prijs"),
            "value | Dutch | English",
        ),
        (
            question_data("single", "Wat?", "What?", choices="prijs | Prijs | Price"),
            "at least two choices",
        ),
        (question_data("single", "Wat?", "What?", choices="a | A | A\na | B | B"), "its own value"),
        (
            question_data("open", "Wat?", "What?", choices="a | A | A\nb | B | B"),
            "only single and multiple",
        ),
        (question_data("nps", "Wat?", "What?", condition_min=0, condition_max=6), "whose score"),
        (question_data("bogus", "Wat?", "What?"), "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message(cast, owner, data, message):
    draft = authoring.draft_from(survey=cast.survey)
    before = draft.questions.count()
    refused = add(owner, draft, data)
    assert refused.status_code == 422
    assert message.lower() in refused.content.decode().lower()
    assert draft.questions.count() == before


def test_a_condition_must_be_on_a_scale_question_with_a_range_inside_its_scale(cast, owner):
    draft = authoring.draft_from(survey=cast.survey)
    nps = draft.questions.get(kind="nps")
    text = draft.questions.get(kind="open")
    on_text = add(
        owner,
        draft,
        question_data(
            "open", "Wat?", "What?", condition_question=text.pk, condition_min=0, condition_max=6
        ),
    )
    assert on_text.status_code == 422
    with pytest.raises(authoring.SurveyEditError, match="NPS, CSAT or CES"):
        authoring.add_question(
            survey=draft,
            kind="open",
            text_nl="Wat?",
            text_en="What?",
            condition_question=text,
            condition_min=0,
            condition_max=6,
        )
    out_of_range = add(
        owner,
        draft,
        question_data(
            "open", "Wat?", "What?", condition_question=nps.pk, condition_min=5, condition_max=11
        ),
    )
    assert out_of_range.status_code == 422
    assert "lowest" in out_of_range.content.decode()
    # A question others depend on can neither be deleted nor stop being a scale.
    authoring.add_question(
        survey=draft,
        kind="open",
        text_nl="Wat?",
        text_en="What?",
        condition_question=nps,
        condition_min=0,
        condition_max=6,
    )
    assert owner.post(f"/surveys/{draft.pk}/questions/{nps.pk}/delete/").status_code == 422
    with pytest.raises(authoring.SurveyEditError, match="depend"):
        authoring.update_question(question=nps, kind="open", text_nl="x", text_en="x")


def test_a_touchpoint_must_belong_to_the_organisations_journeys_and_not_to_a_moment_question(
    cast, owner
):
    from cxloop.journeys.models import JourneyType

    elsewhere = JourneyType.objects.create(
        chain=cast.outsider_org.chain, owner=cast.outsider_org, name="Anders", slug="anders"
    )
    foreign = Touchpoint.objects.create(journey_type=elsewhere, name="Balie", slug="balie")
    draft = authoring.draft_from(survey=cast.survey)
    assert (
        add(owner, draft, question_data("csat", "Wat?", "What?", touchpoint=foreign.pk)).status_code
        == 422
    )
    with pytest.raises(authoring.SurveyEditError, match="journeys"):
        authoring.add_question(
            survey=draft, kind="csat", text_nl="Wat?", text_en="What?", touchpoint=foreign
        )
    moment = add(
        owner,
        draft,
        question_data("moment", "Welk moment?", "Which moment?", touchpoint=cast.touchpoint.pk),
    )
    assert moment.status_code == 422
    assert "picks one of their own journey" in moment.content.decode()


def test_a_draft_without_questions_cannot_be_published(cast, owner):
    survey = authoring.create_survey(organisation=cast.owner, name="Leeg")
    refused = owner.post(f"/surveys/{survey.pk}/publish/")
    assert refused.status_code == 422
    assert "at least one question" in refused.content.decode()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_the_partner_admin_builds_its_own_surveys(cast):
    partner = english(cast.client_for(cast.partner_admin))
    assert (
        partner.post(
            "/surveys/new/", {"organisation": cast.partner.pk, "name": "Belcentrum kort"}
        ).status_code
        == 302
    )
    # ... but cannot create one for the owner.
    assert (
        partner.post(
            "/surveys/new/", {"organisation": cast.owner.pk, "name": "Sluiproute"}
        ).status_code
        == 422
    )
    assert not Survey.objects.filter(name="Sluiproute").exists()


def test_people_without_a_builder_role_in_the_organisation_get_404(cast):
    analyst = get_user_model().objects.create_user(username="anna")
    grant_role(user=analyst, organisation=cast.owner, role=Role.ANALYST)
    draft = authoring.draft_from(survey=cast.survey)
    question = draft.questions.first()
    for user in (cast.agent.user, cast.lead.user, cast.partner_admin, cast.outsider, analyst):
        client = cast.client_for(user)
        for url in (f"/surveys/{cast.survey.pk}/", f"/surveys/{draft.pk}/"):
            assert client.get(url).status_code == 404, (user, url)
        assert (
            client.post(
                f"/surveys/{draft.pk}/questions/", question_data("open", "x", "y")
            ).status_code
            == 404
        )
        assert (
            client.post(f"/surveys/{draft.pk}/questions/{question.pk}/delete/").status_code == 404
        )
        assert client.post(f"/surveys/{draft.pk}/publish/").status_code == 404
        assert client.post(f"/surveys/{cast.survey.pk}/draft/").status_code == 404
    for user in (cast.agent.user, cast.lead.user, analyst):
        assert cast.client_for(user).get("/surveys/").status_code == 404
        assert cast.client_for(user).get("/surveys/new/").status_code == 404
    assert Survey.objects.filter(family=cast.survey).count() == 1
    assert draft.questions.count() == 2
    assert Client().get("/surveys/").status_code == 302  # anonymous: to the login page


def test_the_builder_pages_read_a_fixed_number_of_queries(cast, owner):
    draft = authoring.draft_from(survey=cast.survey)
    authoring.create_survey(organisation=cast.owner, name="Tweede")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner.get(url).status_code == 200
        return len(queries)

    detail, listing = count(f"/surveys/{draft.pk}/"), count("/surveys/")
    nps = draft.questions.get(kind="nps")
    for number in range(4):
        authoring.add_question(
            survey=draft,
            kind="open",
            text_nl=f"Vraag {number}",
            text_en=f"Question {number}",
            condition_question=nps,
            condition_min=0,
            condition_max=6,
            touchpoint=cast.touchpoint,
        )
    for number in range(3):
        authoring.create_survey(organisation=cast.owner, name=f"Nog een {number}")
    assert count(f"/surveys/{draft.pk}/") == detail
    assert count("/surveys/") == listing
