"""One answer through the whole pipeline: language, PII masking, sentiment per clause, topics."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from cxloop.text import polarity
from cxloop.text.language import detect_language
from cxloop.text.pii import mask_pii
from cxloop.text.sentiment import Sentiment, analyse_sentiment, label_for
from cxloop.text.taxonomy import DEFAULT_TAXONOMY, TopicSpec, tag_text


@dataclass
class TextResult:
    """What the pipeline says about one answer."""

    language: str
    masked: str
    pii: list[str]
    sentiment: str
    score: float
    mixed: bool
    clauses: list[dict[str, object]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    lexicon_score: float = 0.0  # the clause lexicon's own score, beside the combined `score`
    method: str = "lexicon"  # or "lexicon+e5" when the zero-shot took part

    def as_json(self) -> dict[str, object]:
        """The fields `cxloop text analyze` writes."""
        return asdict(self)


def clause_rows(sentiment: Sentiment) -> list[dict[str, object]]:
    """Clauses as plain data, with the words that decided them."""
    return [
        {
            "text": c.text,
            "sentiment": c.label,
            "score": round(c.score, 4),
            "weight": c.weight,
            "words": [[u.text, round(u.weight, 2)] for u in c.units],
        }
        for c in sentiment.clauses
    ]


def analyse_text(
    text: str,
    *,
    topics: Sequence[TopicSpec] = DEFAULT_TAXONOMY,
    language: str | None = None,
    employee_names: Sequence[str] = (),
) -> TextResult:
    """Language, masked text, sentiment and topics of one answer; `employee_names` are masked too."""
    return analyse_texts([text], topics=topics, language=language, employee_names=employee_names)[0]


def analyse_texts(
    texts: Sequence[str],
    *,
    topics: Sequence[TopicSpec] = DEFAULT_TAXONOMY,
    language: str | None = None,
    employee_names: Sequence[str] = (),
) -> list[TextResult]:
    """`analyse_text` for many answers, embedding those the lexicon is unsure of in one batch."""
    results = []
    for text in texts:
        masked = mask_pii(text, employee_names=employee_names)
        found = language or detect_language(masked.text)
        sentiment = analyse_sentiment(masked.text, found if found in {"nl", "en"} else "nl")
        results.append(
            TextResult(
                language=found,
                masked=masked.text,
                pii=list(masked.found),
                sentiment=sentiment.label,
                score=sentiment.score,
                mixed=sentiment.mixed,
                clauses=clause_rows(sentiment),
                topics=tag_text(masked.text, topics),
                lexicon_score=sentiment.score,
            )
        )
    # A text without words to judge ("nvt", "-") stays neutral at 0; the rest is embedded if unsure.
    unsure = [
        r
        for r in results
        if r.clauses and polarity.needs_embedding(r.lexicon_score, r.mixed, r.clauses)
    ]
    # "Mooie showroom, maar de service is bedroevend": a clause after a turn that the lexicon
    # finds silent is judged on its own too (in the same batch).
    turns = [(r, i) for r in unsure for i in polarity.silent_turns(r.clauses)]
    scores = polarity.zero_shot(
        [r.masked for r in unsure] + [str(r.clauses[i]["text"]) for r, i in turns]
    )
    if scores is not None:
        verdicts: dict[int, dict[int, float]] = {}
        for (result, index), verdict in zip(turns, scores[len(unsure) :], strict=True):
            verdicts.setdefault(id(result), {})[index] = float(verdict)
        for result, embedded in zip(unsure, scores, strict=False):
            lexicon_score = result.lexicon_score
            if id(result) in verdicts:
                lexicon_score = polarity.with_clause_verdicts(
                    lexicon_score, result.clauses, verdicts[id(result)]
                )
            result.score = polarity.combine(lexicon_score, float(embedded))
            result.sentiment = label_for(result.score)
            result.method = "lexicon+e5"
    return results
