"""Whether a follow-up rule matches a response: pure functions over plain data."""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseFacts:
    """What a rule can look at in a submitted response."""

    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    comment: str = ""
    journey_type_id: int | None = None
    channel_id: int | None = None
    segment: str = ""


@dataclass(frozen=True)
class Conditions:
    """A rule's conditions; None or empty means "any"."""

    nps_max: int | None = None
    nps_min: int | None = None
    csat_max: int | None = None
    ces_min: int | None = None
    keywords: tuple[str, ...] = ()
    journey_type_id: int | None = None
    channel_id: int | None = None
    segment: str = ""
    require_comment: bool = False


def normalise(text: str) -> str:
    """Lower case without accents, so that "geïrriteerd" matches "geirriteerd"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def parse_keywords(raw: str) -> tuple[str, ...]:
    """Keywords one per line or comma separated, normalised, without blanks."""
    return tuple(normalise(word.strip()) for word in re.split(r"[\n,;]", raw) if word.strip())


def mentions(comment: str, keyword: str) -> bool:
    """Whether the comment contains the keyword as a word or word start ("opzeggen" matches "opzeggen,"
    and "klacht" matches "klachten"), or the phrase for several words ("nooit meer")."""
    pattern = r"\b" + r"\s+".join(re.escape(part) for part in keyword.split()) + r"\w*"
    return re.search(pattern, normalise(comment)) is not None


def _scale_conditions(c: Conditions, r: ResponseFacts) -> bool:
    checks = (
        (c.nps_max, r.nps, lambda limit, value: value <= limit),
        (c.nps_min, r.nps, lambda limit, value: value >= limit),
        (c.csat_max, r.csat, lambda limit, value: value <= limit),
        (c.ces_min, r.ces, lambda limit, value: value >= limit),
    )
    for limit, value, holds in checks:
        if limit is not None and (value is None or not holds(limit, value)):
            return False
    return True


def matches(conditions: Conditions, response: ResponseFacts) -> bool:
    """All the rule's conditions hold; the keywords are alternatives (any one of them)."""
    if conditions.journey_type_id and conditions.journey_type_id != response.journey_type_id:
        return False
    if conditions.channel_id and conditions.channel_id != response.channel_id:
        return False
    if conditions.segment and conditions.segment != response.segment:
        return False
    if conditions.require_comment and not response.comment.strip():
        return False
    if not _scale_conditions(conditions, response):
        return False
    if conditions.keywords and not any(
        mentions(response.comment, word) for word in conditions.keywords
    ):
        return False
    return True
