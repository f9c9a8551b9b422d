import pytest

from cxloop.text import embeddings


@pytest.fixture(autouse=True)
def hashed_vectors(monkeypatch):
    """Tests use the hashed fallback (fast); test_e5 checks the embedding model itself."""
    monkeypatch.setenv("CXLOOP_TEXT_EMBEDDINGS", "off")
    embeddings._model.cache_clear()
    yield
    embeddings._model.cache_clear()
