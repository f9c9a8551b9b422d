"""Follow-up rule conditions on plain data."""

import pytest

from cxloop.followup.matching import Conditions, ResponseFacts, matches, mentions, parse_keywords


@pytest.mark.parametrize(
    ("comment", "keyword", "expected"),
    [
        ("Ik ga mijn contract opzeggen!", "opzeggen", True),
        ("Drie klachten ingediend", "klacht", True),
        ("Ik neem een advocaat in de arm", "advocaat", True),
        ("Nooit  meer Leasewijs", "nooit meer", True),
        ("Ik kom nooit ergens meer", "nooit meer", False),
        ("Een klachtenvrije afhandeling", "klacht", True),
        ("Ik was geïrriteerd", "geirriteerd", True),
        ("Prima geholpen", "opzeggen", False),
        ("verklachting", "klacht", False),  # only at the start of a word
    ],
)
def test_keywords_match_dutch_words_and_phrases(comment, keyword, expected):
    assert mentions(comment, keyword) is expected


def test_keywords_are_parsed_from_lines_or_commas():
    assert parse_keywords("Opzeggen\nklacht, Nooit meer;\n\n") == (
        "opzeggen",
        "klacht",
        "nooit meer",
    )


def test_score_conditions():
    detractor = Conditions(nps_max=6)
    assert matches(detractor, ResponseFacts(nps=6)) and not matches(detractor, ResponseFacts(nps=7))
    assert not matches(detractor, ResponseFacts(nps=None))
    assert matches(Conditions(csat_max=2), ResponseFacts(csat=2)) and not matches(
        Conditions(csat_max=2), ResponseFacts(csat=3)
    )
    assert matches(Conditions(ces_min=5), ResponseFacts(ces=6)) and not matches(
        Conditions(ces_min=5), ResponseFacts(ces=4)
    )


def test_all_conditions_must_hold_and_keywords_are_alternatives():
    rule = Conditions(
        nps_max=8,
        keywords=("opzeggen", "klacht"),
        journey_type_id=1,
        channel_id=2,
        segment="zakelijk",
    )
    fitting = ResponseFacts(
        nps=7, comment="Ik wil opzeggen", journey_type_id=1, channel_id=2, segment="zakelijk"
    )
    assert matches(rule, fitting)
    for change in (
        {"nps": 9},
        {"comment": "Prima"},
        {"journey_type_id": 3},
        {"channel_id": 9},
        {"segment": "particulier"},
    ):
        assert not matches(rule, ResponseFacts(**{**fitting.__dict__, **change}))


def test_a_compliment_needs_a_comment():
    compliment = Conditions(nps_min=9, require_comment=True)
    assert matches(compliment, ResponseFacts(nps=10, comment="Top geholpen door Anouk"))
    assert not matches(compliment, ResponseFacts(nps=10, comment="  "))
