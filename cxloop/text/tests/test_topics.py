"""Topics from the taxonomy's keywords, the trained classifier and emerging topics, without a database."""

import numpy as np

from cxloop.text import embeddings
from cxloop.text.classifier import f1, train_binary
from cxloop.text.emerging import find_emerging, two_proportion_z
from cxloop.text.taxonomy import DEFAULT_TAXONOMY, TopicSpec, matched_keywords, tag_text


def test_the_default_taxonomy_has_the_topics_cx_teams_use():
    slugs = {t.slug for t in DEFAULT_TAXONOMY}
    assert {
        "bereikbaarheid",
        "vriendelijkheid",
        "deskundigheid",
        "afspraken",
        "informatie",
        "prijs",
        "levering",
        "klachtafhandeling",
        "website-app",
        "formaliteiten",
    } <= slugs


def test_keywords_match_inflections_phrases_and_compounds():
    assert tag_text("Ik hing een half uur in de wacht", DEFAULT_TAXONOMY) == ["bereikbaarheid"]
    assert "vriendelijkheid" in tag_text("Wat een vriendelijke medewerkster", DEFAULT_TAXONOMY)
    assert matched_keywords("De telefoonwachttijden zijn lang", ["wachttijd"]) == ["wachttijd"]
    assert matched_keywords("Mijn apparaat is kapot", ["app"]) == []


def test_an_edited_topic_tags_with_its_own_keywords():
    topic = TopicSpec("laadpaal", "Laadpaal", ("laadpaal", "opladen"))
    assert tag_text("De laadpaal bij de vestiging was kapot", [topic]) == ["laadpaal"]


def test_the_logistic_classifier_learns_a_separable_topic():
    texts = [f"de laadpaal werkt niet {i}" for i in range(20)] + [
        f"vriendelijk geholpen {i}" for i in range(20)
    ]
    x = embeddings.embed(texts, method="hashed")
    y = np.array([1] * 20 + [0] * 20)
    model = train_binary(x, y)
    assert f1(model.probability(x) >= 0.5, y.astype(bool)) == 1.0


def test_an_uncovered_theme_that_grows_is_flagged_and_named_by_its_words():
    new = [
        "de laadpaal deed het niet",
        "laadpaal kapot bij de garage",
        "kon mijn auto niet laden, laadpaal stuk",
        "laadpaal gaf een foutmelding",
    ]
    noise = [
        "mooie folder gekregen",
        "de koffie in de wachtruimte was lekker",
        "parkeren was makkelijk",
    ]
    current = new + noise
    groups = find_emerging(
        current,
        embeddings.embed(current, method="hashed"),
        40,
        embeddings.embed(noise, method="hashed"),
        40,
        min_count=3,
    )
    laadpaal = next(g for g in groups if "laadpaal" in g.words)
    assert laadpaal.flagged and laadpaal.count >= 4 and laadpaal.earlier_count == 0


def test_two_proportion_z_is_zero_without_change():
    assert two_proportion_z(10, 100, 10, 100) == 0.0
    assert two_proportion_z(20, 100, 5, 100) > 1.645


def test_clear_complaints_about_calling_back_are_tagged():
    for text in (
        "Niemand belde terug",
        "Ik ben nooit teruggebeld",
        "Ze belden me na een week nog steeds niet terug",
        "Ze zouden me terugbellen",
        "Gevraagd om terug te bellen, nooit gedaan",
    ):
        assert "afspraken" in tag_text(text, DEFAULT_TAXONOMY), text
    # "terug" far from "bellen" is something else.
    assert "afspraken" not in tag_text(
        "Ik belde over de auto en kreeg na een lange week het geld terug", DEFAULT_TAXONOMY
    )


def test_exact_keywords_keep_price_and_duration_apart():
    assert tag_text("Veel te duur", DEFAULT_TAXONOMY) == ["prijs"]
    assert tag_text("Het duurde lang", DEFAULT_TAXONOMY) == ["doorlooptijd"]
