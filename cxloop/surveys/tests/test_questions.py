"""Every kind of question on the customer's page: conditions, choices, moments and who an answer is about."""

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cxloop.conftest import interaction_payload
from cxloop.journeys.models import Interaction, Touchpoint
from cxloop.responses.models import Answer, Response
from cxloop.responses.services import AnswerRejected, journey_facts, record_response
from cxloop.surveys import authoring
from cxloop.surveys.models import Invitation, Question, Survey
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "prijs", "nl": "Prijs", "en": "Price"},
    {"value": "snelheid", "nl": "Snelheid", "en": "Speed"},
    {"value": "vriendelijkheid", "nl": "Vriendelijkheid", "en": "Friendliness"},
]


@dataclass
class Version2:
    survey: Survey
    nps: Question
    reason: Question
    detractor: Question
    promoter: Question
    topics: Question
    channel: Question
    moment: Question
    intake: Question
    intake_touchpoint: Touchpoint
    repair_touchpoint: Touchpoint


@pytest.fixture
def v2(cast) -> Version2:
    """Version 2 of the cast's survey, written and published through the builder's services."""
    repair = Touchpoint.objects.create(
        journey_type=cast.journey_type, name="Reparatie", slug="reparatie", position=1
    )
    intake = Touchpoint.objects.create(
        journey_type=cast.journey_type, name="Intake", slug="intake", position=2
    )
    draft = authoring.draft_from(survey=cast.survey)
    nps = draft.questions.get(kind="nps")
    add = authoring.add_question
    detractor = add(
        survey=draft,
        kind="open",
        text_nl="Wat had beter gekund?",
        text_en="What could have been better?",
        condition_question=nps,
        condition_min=0,
        condition_max=6,
    )
    promoter = add(
        survey=draft,
        kind="open",
        text_nl="Wat deden we goed?",
        text_en="What did we do well?",
        condition_question=nps,
        condition_min=9,
        condition_max=10,
    )
    topics = add(
        survey=draft,
        kind="multiple",
        text_nl="Waarover gaat het?",
        text_en="What is it about?",
        choices=CHOICES,
    )
    channel = add(
        survey=draft,
        kind="single",
        text_nl="Hoe nam u contact op?",
        text_en="How did you contact us?",
        choices=[
            {"value": "tel", "nl": "Telefoon", "en": "Phone"},
            {"value": "mail", "nl": "E-mail", "en": "E-mail"},
        ],
    )
    moment = add(
        survey=draft,
        kind="moment",
        text_nl="Welk moment telde het meest?",
        text_en="Which moment mattered most?",
    )
    about_intake = add(
        survey=draft,
        kind="csat",
        text_nl="Hoe tevreden bent u over de intake?",
        text_en="How satisfied are you with the intake?",
        touchpoint=intake,
    )
    survey = authoring.publish_survey(survey=draft)
    return Version2(
        survey,
        nps,
        draft.questions.get(kind="open", condition_question__isnull=True),
        detractor,
        promoter,
        topics,
        channel,
        moment,
        about_intake,
        intake,
        repair,
    )


@pytest.fixture
def link(cast, v2, post_interaction) -> str:
    """Leasewijs invites after Anouk's call; later Belcentrum's Pim does the intake in the same journey."""
    assert post_interaction(interaction_payload()).status_code == 201
    partner_call = interaction_payload(
        "bel-1", touchpoint="intake", employee="P1", occurred_at="2026-11-20T09:00:00+01:00"
    )
    assert post_interaction(partner_call, key=cast.partner_key).status_code == 201
    invitation = Invitation.objects.get()
    assert invitation.survey == v2.survey and invitation.organisation == cast.owner
    return survey_path_from_outbox("klant@example.nl")


def shown_ids(html: str) -> list[str]:
    return re.findall(r'name="shown" value="(\d+)"', html)


def field(question: Question) -> str:
    return f"q{question.pk}"


def test_a_detractor_gets_the_detractor_question_at_once_after_the_tap(cast, v2, link):
    page = Client().get(f"{link}?nps=3").content.decode()
    assert "Wat had beter gekund?" in page
    assert "Wat deden we goed?" not in page
    assert str(v2.detractor.pk) in shown_ids(page)

    client = Client()
    data = {
        field(v2.nps): "3",
        field(v2.detractor): "Te lang gewacht",
        "shown": shown_ids(page),
        "action": "submit",
    }
    done = client.post(link, data)
    assert done.status_code == 302
    answers = {a.question_id: a for a in Answer.objects.all()}
    assert answers[v2.detractor.pk].text == "Te lang gewacht"
    assert v2.promoter.pk not in answers


def test_a_promoter_who_submits_is_asked_the_promoter_question_before_finishing(cast, v2, link):
    client = Client()
    first = client.get(link).content.decode()
    assert "Wat had beter gekund?" not in first and "Wat deden we goed?" not in first
    again = client.post(link, {field(v2.nps): "9", "shown": shown_ids(first), "action": "submit"})
    assert again.status_code == 200
    html = again.content.decode()
    assert "Wat deden we goed?" in html and "Wat had beter gekund?" not in html
    assert "Nog één vraag" in html  # the page speaks the customer's language: Dutch here
    invitation = Invitation.objects.get()
    assert invitation.status != Invitation.Status.ANSWERED
    assert Response.objects.get().nps == 9  # kept meanwhile

    done = client.post(
        link,
        {
            field(v2.nps): "9",
            field(v2.promoter): "Snel geholpen",
            "shown": shown_ids(html),
            "action": "submit",
        },
    )
    assert done.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert Answer.objects.get(question=v2.promoter).text == "Snel geholpen"


def test_the_optional_new_question_may_be_left_empty_the_second_time(cast, v2, link):
    client = Client()
    first = client.get(link).content.decode()
    again = client.post(link, {field(v2.nps): "2", "shown": shown_ids(first), "action": "submit"})
    assert again.status_code == 200
    done = client.post(
        link, {field(v2.nps): "2", "shown": shown_ids(again.content.decode()), "action": "submit"}
    )
    assert done.status_code == 302
    assert Response.objects.get().submitted_at is not None


def test_changing_the_score_drops_the_answer_to_a_question_that_no_longer_applies(cast, v2, link):
    client = Client()
    page = client.get(f"{link}?nps=4").content.decode()
    client.post(
        link,
        {
            field(v2.nps): "4",
            field(v2.detractor): "Traag",
            "shown": shown_ids(page),
            "action": "save",
        },
    )
    assert Answer.objects.filter(question=v2.detractor).exists()
    page = client.get(link).content.decode()
    client.post(
        link,
        {
            field(v2.nps): "10",
            field(v2.detractor): "Traag",
            "shown": shown_ids(page),
            "action": "save",
        },
    )
    assert not Answer.objects.filter(question=v2.detractor).exists()
    assert "Wat deden we goed?" in client.get(link).content.decode()


def test_a_conditional_question_cannot_be_answered_when_it_does_not_apply(cast, v2, link):
    Client().post(link, {field(v2.nps): "10", field(v2.detractor): "Sneaky", "action": "submit"})
    assert not Answer.objects.filter(question=v2.detractor).exists()
    assert Response.objects.get().comment == ""


def test_required_questions_count_only_when_shown(cast, v2, post_interaction):
    draft = authoring.draft_from(survey=v2.survey)
    nps = draft.questions.get(kind="nps")
    must = draft.questions.get(text_nl="Wat had beter gekund?")
    authoring.update_question(
        question=must,
        kind="open",
        text_nl=must.text_nl,
        text_en=must.text_en,
        required=True,
        condition_question=nps,
        condition_min=0,
        condition_max=6,
    )
    authoring.publish_survey(survey=draft)
    post_interaction(interaction_payload())
    link = survey_path_from_outbox("klant@example.nl")
    assert Invitation.objects.get().survey == draft

    # A promoter never sees the detractor question, so it is not required of them.
    promoter = Client()
    page = promoter.get(f"{link}?nps=10").content.decode()
    assert (
        promoter.post(
            link, {f"q{nps.pk}": "10", "shown": shown_ids(page), "action": "submit"}
        ).status_code
        == 302
    )

    # A detractor does.
    post_interaction(
        interaction_payload(
            "call-2", customer={"key": "K-2", "email": "twee@example.nl"}, journey_id="claim-2"
        )
    )
    link = survey_path_from_outbox("twee@example.nl")
    detractor = Client()
    page = detractor.get(link).content.decode()
    again = detractor.post(link, {f"q{nps.pk}": "1", "shown": shown_ids(page), "action": "submit"})
    assert again.status_code == 200
    refused = detractor.post(
        link, {f"q{nps.pk}": "1", "shown": shown_ids(again.content.decode()), "action": "submit"}
    )
    assert refused.status_code == 422
    assert Invitation.objects.get(customer__key="K-2").status != Invitation.Status.ANSWERED


def test_multiple_choice_is_stored_as_values_in_the_order_of_the_choices(cast, v2, link):
    client = Client()
    page = client.get(f"{link}?lang=en").content.decode()
    assert 'type="checkbox"' in page and "Friendliness" in page
    assert f'<label for="{field(v2.topics)}-1">Price</label>' in page
    data = {
        field(v2.nps): "7",
        field(v2.topics): ["vriendelijkheid", "prijs"],
        field(v2.channel): "tel",
        "shown": shown_ids(page),
        "action": "submit",
    }
    assert client.post(link, data).status_code == 302
    assert Answer.objects.get(question=v2.topics).values == ["prijs", "vriendelijkheid"]
    assert Answer.objects.get(question=v2.channel).text == "tel"


@pytest.mark.parametrize(
    "bad",
    [
        {"topics": ["prijs", "gratis"]},
        {"channel": "fax"},
    ],
)
def test_choice_values_are_validated(cast, v2, link, bad):
    data = {field(v2.nps): "7", "action": "submit"}
    for name, value in bad.items():
        data[field(getattr(v2, name))] = value
    refused = Client().post(link, data)
    assert refused.status_code == 422
    assert not Response.objects.exists()
    assert 'role="alert"' in refused.content.decode()


def test_the_service_validates_choices_too(cast, v2, link):
    invitation = Invitation.objects.get()
    for answers in (
        {v2.channel.pk: ["tel", "mail"]},
        {v2.topics.pk: ["gratis"]},
        {v2.channel.pk: "Tel"},
    ):
        with pytest.raises(AnswerRejected):
            record_response(invitation=invitation, answers=answers, submit=False)
    record_response(invitation=invitation, answers={v2.topics.pk: "snelheid"}, submit=False)
    assert Answer.objects.get(question=v2.topics).values == ["snelheid"]


def test_the_moment_question_offers_exactly_the_touchpoints_of_the_customers_journey(
    cast, v2, link
):
    page = Client().get(link).content.decode()
    offered = re.findall(rf'name="{field(v2.moment)}" value="(\d+)"', page)
    assert offered == [
        str(cast.touchpoint.pk),
        str(v2.intake_touchpoint.pk),
    ]  # journey type order, not time order

    refused = Client().post(
        link,
        {field(v2.nps): "8", field(v2.moment): str(v2.repair_touchpoint.pk), "action": "submit"},
    )
    assert refused.status_code == 422
    assert not Answer.objects.filter(question=v2.moment).exists()

    chosen = Client().post(
        link,
        {field(v2.nps): "8", field(v2.moment): str(v2.intake_touchpoint.pk), "action": "submit"},
    )
    assert chosen.status_code == 302
    answer = Answer.objects.get(question=v2.moment)
    assert answer.chosen_touchpoint == v2.intake_touchpoint
    assert (answer.organisation, answer.employee) == (cast.partner, cast.partner_agent)


def test_an_answer_about_a_partners_touchpoint_is_attributed_to_that_partner(cast, v2, link):
    data = {
        field(v2.nps): "6",
        field(v2.intake): "2",
        field(v2.reason): "Intake duurde lang",
        "action": "submit",
    }
    assert Client().post(link, data).status_code == 302
    own = Interaction.objects.get(organisation=cast.owner)
    partners = Interaction.objects.get(organisation=cast.partner)
    about_intake = Answer.objects.get(question=v2.intake)
    assert (about_intake.interaction, about_intake.organisation) == (partners, cast.partner)
    assert (about_intake.unit, about_intake.employee) == (
        cast.partner_agent.unit,
        cast.partner_agent,
    )
    for answer in Answer.objects.exclude(question=v2.intake):
        assert (answer.interaction, answer.organisation, answer.unit, answer.employee) == (
            own,
            cast.owner,
            cast.team,
            cast.agent,
        )
    response = Response.objects.get()
    assert (response.organisation, response.employee, response.nps) == (cast.owner, cast.agent, 6)


def test_the_journey_is_read_once_whatever_the_number_of_touchpoint_questions(cast, v2, link):
    invitation = Invitation.objects.get()
    with CaptureQueriesContext(connection) as queries:
        facts = journey_facts(journey_id=invitation.journey_id)
    assert len(queries) == 1
    assert [t.slug for t in facts.touchpoints] == ["melding", "intake"]
    assert facts.latest[v2.intake_touchpoint.pk].organisation_id == cast.partner.pk

    with CaptureQueriesContext(connection) as queries:
        record_response(
            invitation=invitation,
            answers={v2.nps.pk: "8", v2.intake.pk: "4", v2.moment.pk: str(cast.touchpoint.pk)},
            submit=False,
        )
    journey_reads = [
        q
        for q in queries.captured_queries
        if "journeys_interaction" in q["sql"]
        and "touchpoint_id" in q["sql"]
        and "IS NOT NULL" in q["sql"]
    ]
    assert len(journey_reads) == 1


def test_the_service_refuses_a_moment_outside_the_journey(cast, v2, link):
    invitation = Invitation.objects.get()
    with pytest.raises(AnswerRejected) as rejected:
        record_response(
            invitation=invitation,
            answers={v2.moment.pk: str(v2.repair_touchpoint.pk)},
            submit=False,
        )
    assert v2.moment.pk in rejected.value.errors


def test_scales_choices_and_legends_are_accessible(cast, v2, link):
    html = Client().get(link).content.decode()
    assert "<script" not in html
    assert html.count("<fieldset") == html.count("<legend>")
    for question in (v2.topics, v2.channel, v2.moment, v2.intake):
        ids = re.findall(rf'<input type="\w+" id="({field(question)}-\w+)"', html)
        assert ids
        for input_id in ids:
            assert f'<label for="{input_id}">' in html


def test_a_required_moment_question_is_skipped_when_the_journey_has_no_touchpoint(
    cast, post_interaction
):
    draft = authoring.draft_from(survey=cast.survey)
    authoring.add_question(
        survey=draft, kind="moment", text_nl="Welk moment?", text_en="Which moment?", required=True
    )
    authoring.publish_survey(survey=draft)
    post_interaction(interaction_payload(touchpoint=None))
    link = survey_path_from_outbox("klant@example.nl")
    client = Client()
    page = client.get(link).content.decode()
    assert "Welk moment?" not in page
    nps = draft.questions.get(kind="nps")
    data = {field(nps): "8", "shown": shown_ids(page), "action": "submit"}
    assert client.post(link, data).status_code == 302
