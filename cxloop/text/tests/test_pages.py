"""Analysing stored answers, correcting tags, training, and who may see the topics page."""

import pytest

from cxloop.lib.testing.responses import make_response
from cxloop.text import services
from cxloop.text.models import AnalysedText, TagCorrection, Topic, TopicTag

pytestmark = pytest.mark.django_db


def _analysed(cast, nps: int, comment: str) -> AnalysedText:
    response = make_response(cast, employee=cast.agent, nps=nps, comment=comment)
    return services.analyse_response(response_id=response.pk)[0]


def test_a_response_is_analysed_masked_and_tagged_from_the_seeded_taxonomy(cast):
    row = _analysed(cast, 3, "Bel me op 06-12345678, ik heb drie keer gebeld en niemand nam op")
    assert row.sentiment == "negative" and row.language == "nl"
    assert "06-12345678" not in row.masked_text and row.pii == ["phone"]
    assert [t.topic.slug for t in row.tags.all()] == ["bereikbaarheid"]
    assert Topic.objects.filter(organisation=cast.owner).count() >= 10
    # Running it again changes nothing.
    services.analyse_response(response_id=row.response_id)
    assert AnalysedText.objects.count() == 1 and TopicTag.objects.count() == 1


def test_a_correction_is_kept_when_the_answer_is_analysed_again(cast):
    row = _analysed(cast, 4, "Lang in de wacht gestaan")
    prijs = Topic.objects.get(organisation=cast.owner, slug="prijs")
    services.correct_tags(analysed_text=row, topic_ids=[prijs.pk], user=cast.owner_admin)
    services.analyse_response(response_id=row.response_id)
    live = TopicTag.objects.filter(analysed_text=row, rejected=False).values_list(
        "topic__slug", flat=True
    )
    assert list(live) == ["prijs"]
    assert TagCorrection.objects.get().before == ["bereikbaarheid"]


def test_pending_responses_are_picked_up_by_the_sweeper_step(cast):
    make_response(cast, employee=cast.agent, nps=9, comment="Heel vriendelijk geholpen")
    make_response(cast, employee=cast.colleague, nps=8, comment="")
    assert services.analyse_pending() == 1
    assert services.analyse_pending() == 0


def test_a_classifier_trained_on_corrections_takes_over_a_topic_the_keywords_miss(cast):
    laadpaal = services.save_topic(organisation=cast.owner, name="Laadpaal", keywords=["laadpaal"])
    for i in range(20):
        row = _analysed(cast, 2, f"De oplaadzuil deed het weer niet, dag {i}")
        services.correct_tags(analysed_text=row, topic_ids=[laadpaal.pk], user=cast.owner_admin)
        other = _analysed(cast, 9, f"Vriendelijk geholpen aan de balie, bezoek {i}")
        services.correct_tags(analysed_text=other, topic_ids=[], user=cast.owner_admin)
    models = services.train_classifiers(organisation=cast.owner)
    topics = next(m for m in models if m.kind == "topics")
    assert (
        topics.in_use
        and topics.metrics["laadpaal"]["classifier_f1"] > topics.metrics["laadpaal"]["keywords_f1"]
    )
    new = _analysed(cast, 3, "Oplaadzuil deed het niet")
    assert TopicTag.objects.get(analysed_text=new, topic=laadpaal).source == "classifier"


def test_the_topics_page_for_readers_and_404_for_others(cast):
    _analysed(cast, 2, "Erg onvriendelijk te woord gestaan, mail me op a@b.nl")
    page = cast.client_for(cast.owner_admin).get("/text/leasewijs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vriendelijkheid" in html and "[e-mail]" in html and "a@b.nl" not in html
    assert cast.client_for(cast.outsider).get("/text/leasewijs/").status_code == 404
    assert cast.client_for(cast.partner_admin).get("/text/leasewijs/").status_code == 404
    assert cast.client_for(cast.agent.user).get("/text/leasewijs/").status_code == 404


def test_correcting_through_the_page(cast):
    row = _analysed(cast, 5, "Duurde lang")
    prijs = Topic.objects.get(organisation=cast.owner, slug="prijs")
    url = f"/text/leasewijs/answers/{row.pk}/topics/"
    assert cast.client_for(cast.outsider).post(url, {"topics": [prijs.pk]}).status_code == 404
    assert cast.client_for(cast.owner_admin).post(url, {"topics": [prijs.pk]}).status_code == 302
    assert list(
        TopicTag.objects.filter(analysed_text=row, rejected=False).values_list("topic", flat=True)
    ) == [prijs.pk]


def test_editing_the_taxonomy_through_the_page(cast):
    client = cast.client_for(cast.owner_admin)
    client.get("/text/leasewijs/")
    assert (
        client.post(
            "/text/leasewijs/topics/", {"name": "Laadpaal", "keywords": "laadpaal, laden"}
        ).status_code
        == 302
    )
    assert Topic.objects.get(organisation=cast.owner, slug="laadpaal").keywords == [
        "laadpaal",
        "laden",
    ]
    assert (
        cast.client_for(cast.lead.user).post("/text/leasewijs/topics/", {"name": "X"}).status_code
        == 404
    )


def test_the_clauses_on_the_topics_page_are_labelled_in_dutch(cast):
    row = _analysed(cast, 6, "De monteur was erg vriendelijk, maar de wachttijd was veel te lang")
    assert len(row.clauses) > 1
    html = cast.client_for(cast.owner_admin).get("/text/leasewijs/").content.decode()
    assert "— positief</small>" in html and "— negatief</small>" in html
    assert "— positive</small>" not in html and "— negative</small>" not in html


def test_names_are_masked_in_what_staff_read(cast):
    row = _analysed(cast, 3, "Anouk was kortaf, meneer De Vries belde niet terug zoals beloofd")
    assert "Anouk" not in row.masked_text and "Vries" not in row.masked_text
    assert row.masked_text.count("[naam]") == 2 and "name" in row.pii
    assert all("Vries" not in clause["text"] for clause in row.clauses)
    assert "afspraken" in [t.topic.slug for t in row.tags.all()]
    html = cast.client_for(cast.owner_admin).get("/text/leasewijs/").content.decode()
    assert "[naam]" in html and "Anouk" not in html.split("<table", 1)[-1]
