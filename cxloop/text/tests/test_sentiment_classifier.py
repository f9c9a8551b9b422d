"""The organisation's own sentiment classifier takes over only where it beats the lexicon and the pipeline."""

import pytest

from cxloop.lib.testing.responses import make_response
from cxloop.text import services
from cxloop.text.models import AnalysedText

pytestmark = pytest.mark.django_db


def _analysed(cast, nps: int, comment: str) -> AnalysedText:
    response = make_response(cast, employee=cast.agent, nps=nps, comment=comment)
    return services.analyse_response(response_id=response.pk)[0]


def test_a_classifier_that_learns_the_organisations_own_words_takes_over(cast):
    # Words no lexicon knows, but this organisation's scores tell them apart.
    for i in range(25):
        _analysed(cast, 1, f"De laadpaal op locatie {i} gaf weer een rode lamp")
        _analysed(cast, 10, f"Bij de overdracht van auto {i} kreeg ik een bloemetje")
    assert AnalysedText.objects.filter(score=0).count() == 50  # the lexicon was silent

    model = next(
        m for m in services.train_classifiers(organisation=cast.owner) if m.kind == "sentiment"
    )
    assert model.in_use
    assert model.metrics["classifier_accuracy"] > model.metrics["pipeline_accuracy"]

    complaint = _analysed(cast, 3, "Laadpaal gaf een rode lamp")
    praise = _analysed(cast, 9, "Een bloemetje bij de overdracht")
    assert complaint.method == praise.method == "classifier"
    assert complaint.score < 0 < praise.score
    assert complaint.clauses  # the lexicon's explanation is kept beside the classifier's verdict


def test_a_classifier_that_does_not_beat_the_rules_is_not_used(cast):
    for i in range(25):
        _analysed(cast, 1, f"Heel slecht geholpen, waardeloos, dag {i}")
        _analysed(cast, 10, f"Uitstekend geholpen, top, dag {i}")
    model = next(
        m for m in services.train_classifiers(organisation=cast.owner) if m.kind == "sentiment"
    )
    assert model.metrics["lexicon_accuracy"] == 1.0 and not model.in_use
    assert _analysed(cast, 2, "Heel slecht geholpen").method == "lexicon"
