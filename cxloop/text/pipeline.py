"""One answer through the whole pipeline: language, PII masking, sentiment per clause, topics."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from cxloop.text.language import detect_language
from cxloop.text.pii import mask_pii
from cxloop.text.sentiment import Sentiment, analyse_sentiment
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
    masked = mask_pii(text, employee_names=employee_names)
    language = language or detect_language(masked.text)
    sentiment = analyse_sentiment(masked.text, language if language in {"nl", "en"} else "nl")
    return TextResult(
        language=language,
        masked=masked.text,
        pii=list(masked.found),
        sentiment=sentiment.label,
        score=sentiment.score,
        mixed=sentiment.mixed,
        clauses=clause_rows(sentiment),
        topics=tag_text(masked.text, topics),
    )
