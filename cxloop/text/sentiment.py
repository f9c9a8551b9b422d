"""Sentiment of an answer and of each of its clauses, from a lexicon with negation, intensifiers and contrast.

The method is SO-CAL's (Taboada et al. 2011, Computational Linguistics 37(2)): word and phrase
weights, intensifiers that multiply, negation that shifts rather than flips ("niet slecht" is
mildly positive, "helemaal niet vriendelijk" clearly negative), irrealis (wishes, conditionals)
that blocks, and extra weight for negative expressions. Clauses are split where Dutch turns
("maar", "alleen", "helaas", "echter"); the clause after the turn weighs more, a concession
("hoewel", ", al ...") less, following Polanyi & Zaenen (2006), "Contextual valence shifters".
"""

import re
from dataclasses import dataclass, field
from math import tanh

from cxloop.text import lexicon
from cxloop.text.tokens import lemma, normalise, stem

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
THRESHOLD = 0.15  # |score| below this is neutral
NEGATIVE_WEIGHT = 1.2  # lexicons under-count negative sentiment (SO-CAL uses 1.5)
AFTER_TURN, BEFORE_TURN, CONCESSION = 1.5, 0.6, 0.6
WORD_RE = re.compile(
    r"[a-zà-öø-ÿ]+(?:['-][a-zà-öø-ÿ]+)*|\d+(?:[/.,]\d+)?|[\U0001F300-\U0001FAFF☀-➿]|[:;]-?[()dp]"
)
SENTENCE_RE = re.compile(r"(?<=[.!?;\n])\s*|\s+[-–]\s+")
COMMA_RE = re.compile(r",|:|\(|\)")


@dataclass(frozen=True)
class Unit:
    """One scored word or phrase, with what changed its weight."""

    text: str
    weight: float
    start: int  # token index
    end: int  # token index, exclusive
    negated: bool = False


@dataclass
class Clause:
    """A clause of an answer with its own sentiment."""

    text: str
    score: float
    label: str
    weight: float = 1.0
    units: list[Unit] = field(default_factory=list)


@dataclass
class Sentiment:
    """An answer's sentiment: a label, a score in −1…1, whether it is mixed, and its clauses."""

    label: str
    score: float
    mixed: bool = False
    clauses: list[Clause] = field(default_factory=list)


def label_for(score: float, threshold: float = THRESHOLD) -> str:
    """positive, neutral or negative for a score in −1…1."""
    if score >= threshold:
        return POSITIVE
    if score <= -threshold:
        return NEGATIVE
    return NEUTRAL


def analyse_sentiment(text: str, language: str = "nl") -> Sentiment:
    """The sentiment of an answer, per clause and overall."""
    language = language if language in lexicon.WORDS else "nl"
    normalised = normalise(text).strip()
    if not normalised or lexicon.NO_COMMENT.match(normalised):
        return Sentiment(label=NEUTRAL, score=0.0)
    clauses = [
        _score_clause(part, weight, language)
        for part, weight in split_clauses(normalised, language)
    ]
    raw = sum(c.weight * c.score for c in clauses)
    score = tanh(raw / 3)
    strong = [c for c in clauses if abs(c.score) >= 0.5]
    mixed = any(c.score > 0 for c in strong) and any(c.score < 0 for c in strong)
    for clause in clauses:
        clause.score = tanh(clause.score / 3)
        clause.label = label_for(clause.score)
    return Sentiment(label=label_for(score), score=round(score, 4), mixed=mixed, clauses=clauses)


def split_clauses(text: str, language: str = "nl") -> list[tuple[str, float]]:
    """The clauses of a text with their weights: more after a turn ("maar"), less before it or in a concession."""
    contrast, concessive = lexicon.CONTRAST[language], lexicon.CONCESSIVE[language]
    pieces: list[tuple[str, float]] = []
    for sentence in SENTENCE_RE.split(text):
        parts = [p.strip() for p in COMMA_RE.split(sentence) if p and p.strip()]
        sentence_start = len(pieces)
        for part in parts:
            for piece in _split_on_turns(part, contrast):
                words = piece.split()
                if not words:
                    continue
                first = words[0].strip("'\"")
                if first in contrast and not _is_additive(words):
                    for i in range(
                        sentence_start if len(pieces) > sentence_start else max(0, len(pieces) - 1),
                        len(pieces),
                    ):
                        pieces[i] = (pieces[i][0], pieces[i][1] * BEFORE_TURN)
                    pieces.append((piece, AFTER_TURN))
                elif first in concessive:
                    pieces.append((piece, CONCESSION))
                else:
                    pieces.append((piece, 1.0))
    return pieces


def _split_on_turns(part: str, contrast: set[str]) -> list[str]:
    words = part.split()
    pieces: list[str] = []
    current: list[str] = []
    for index, word in enumerate(words):
        # "alleen" turns only at the start of a clause or after a verb-less opener; inside it means "only".
        turns = (
            word in contrast
            and word != "alleen"
            and current
            and not (word == "jammer" and index > 0)
        )
        if turns:
            pieces.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _is_additive(words: list[str]) -> bool:
    # "niet alleen ..., maar ook ..." adds rather than turns.
    return (
        len(words) > 1 and words[0] in {"maar", "but"} and words[1] in {"ook", "also", "bovendien"}
    )


def _lookup(token: str, language: str) -> float | None:
    words = lexicon.WORDS[language]
    if token in words:
        return words[token]
    if not token.isalpha():
        return None
    base = lemma(token, language)
    if base in words:
        return words[base]
    stems = _stem_index(language)
    stemmed = stem(token, language)
    if stemmed in stems and len(stemmed) >= 4:
        return stems[stemmed]
    if language == "nl" and len(token) >= 9:
        # Compounds: "klantonvriendelijk" ends in "onvriendelijk", "servicegericht" in nothing known.
        for size in range(len(token) - 3, 5, -1):
            tail = token[-size:]
            if tail in words:
                return words[tail]
    hint = lexicon.pattern_lexicon().get(token) if language == "nl" and USE_PATTERN else None
    if hint is not None and abs(hint) >= 0.5:
        return 1.5 * hint  # a general-language hint weighs less than the domain list
    return None


_STEM_CACHE: dict[str, dict[str, float]] = {}
USE_PATTERN = True
STEM_EXCLUDE = {"prijzig"}
SCOPE_ENDS = {
    "dat",
    "waarom",
    "omdat",
    "wanneer",
    "als",
    "hoe",
    "waar",
    "want",
    "terwijl",
    "en",
    "that",
    "why",
    "because",
    "when",
    "and",
    "while",
}  # its stem "prijs" is the neutral noun


def _stem_index(language: str) -> dict[str, float]:
    if language not in _STEM_CACHE:
        index: dict[str, float] = {}
        for word, weight in lexicon.WORDS[language].items():
            if word.isalpha() and len(word) >= 5 and word not in STEM_EXCLUDE:
                index.setdefault(stem(word, language), weight)
        _STEM_CACHE[language] = index
    return _STEM_CACHE[language]


def _phrase_units(text: str, tokens: list[tuple[str, int, int]], language: str) -> list[Unit]:
    units: list[Unit] = []
    taken: set[int] = set()
    for pattern, weight in _compiled_phrases(language):
        for match in pattern.finditer(text):
            covered = [
                i for i, (_, s, e) in enumerate(tokens) if s < match.end() and e > match.start()
            ]
            if not covered or any(i in taken for i in covered):
                continue
            taken.update(covered)
            units.append(
                Unit(text=match.group(0), weight=weight, start=covered[0], end=covered[-1] + 1)
            )
    return units


_PHRASE_CACHE: dict[str, list[tuple[re.Pattern[str], float]]] = {}


def _compiled_phrases(language: str) -> list[tuple[re.Pattern[str], float]]:
    if language not in _PHRASE_CACHE:
        _PHRASE_CACHE[language] = [(re.compile(p), w) for p, w in lexicon.PHRASES[language]]
    return _PHRASE_CACHE[language]


def _score_clause(text: str, weight: float, language: str) -> Clause:
    tokens = [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(text)]
    words = [t for t, _, _ in tokens]
    units = _phrase_units(text, tokens, language)
    covered = {i for u in units for i in range(u.start, u.end)}
    negators, intensifiers = lexicon.NEGATORS[language], lexicon.INTENSIFIERS[language]
    for index, word in enumerate(words):
        if index in covered or word in negators:
            continue
        if word in intensifiers and (
            _next_scored(words, index, language, covered) or word not in lexicon.WORDS[language]
        ):
            continue  # acts on the next word instead of carrying its own weight
        value = _lookup(word, language)
        if value is not None:
            units.append(Unit(text=word, weight=value, start=index, end=index + 1))
    units.sort(key=lambda u: u.start)
    units = [_intensify(u, words, intensifiers) for u in units]
    units = _negate(units, words, negators, intensifiers, covered, language)
    irrealis = bool(lexicon.IRREALIS[language].search(text))
    total = 0.0
    for unit in units:
        value = unit.weight
        if irrealis:
            value = -0.4 * value if value > 0 else 0.6 * value
        total += value * (NEGATIVE_WEIGHT if value < 0 else 1.0)
    if text.rstrip().endswith("!"):
        total *= 1.2
    return Clause(text=text, score=total, label=NEUTRAL, weight=weight, units=units)


def _next_scored(words: list[str], index: int, language: str, covered: set[int]) -> bool:
    # "super vriendelijk" intensifies; "super service" is praise of its own.
    own = words[index] in lexicon.WORDS[language]
    for offset in (1, 2):
        j = index + offset
        if j >= len(words):
            return False
        value = _lookup(words[j], language)
        if j in covered or (value is not None and (not own or abs(value) >= 1)):
            return True
        if words[j] not in lexicon.INTENSIFIERS[language]:
            return False
    return False


def _intensify(unit: Unit, words: list[str], intensifiers: dict[str, float]) -> Unit:
    factor = 1.0
    j = unit.start - 1
    while j >= 0 and words[j] in intensifiers and unit.start - j <= 2:
        factor *= intensifiers[words[j]]
        j -= 1
    if factor == 1.0:
        return unit
    return Unit(
        text=unit.text,
        weight=unit.weight * factor,
        start=unit.start,
        end=unit.end,
        negated=unit.negated,
    )


def _negate(
    units: list[Unit],
    words: list[str],
    negators: dict[str, float],
    intensifiers: dict[str, float],
    covered: set[int],
    language: str,
) -> list[Unit]:
    result = list(units)
    overrides = lexicon.NEGATED[language]
    for index, word in enumerate(words):
        if word not in negators or index in covered:
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        if following in {"alleen", "only"}:
            continue  # "niet alleen ... maar ook" adds
        strength = abs(negators[word])
        if (
            index > 0 and words[index - 1] in intensifiers and intensifiers[words[index - 1]] > 1
        ) or following == "eens":
            strength *= 1.3  # "helemaal niet", "echt niet", "niet eens"
        target = _negation_target(result, words, index, word, language)
        if target is None:
            continue
        unit = result[target]
        key = lemma(unit.text, language) if " " not in unit.text else unit.text
        shifted = (
            -0.9 * unit.weight * strength if unit.weight > 0 else -0.4 * unit.weight * strength
        )
        override = overrides.get(unit.text, overrides.get(key))
        if override is not None and unit.weight > 0:
            shifted = min(shifted, override * strength)
        result[target] = Unit(
            text=f"{word} … {unit.text}",
            weight=shifted,
            start=unit.start,
            end=unit.end,
            negated=True,
        )
    return result


def _negation_target(
    units: list[Unit], words: list[str], index: int, word: str, language: str
) -> int | None:
    overrides = lexicon.NEGATED[language]
    if word in {"niet", "not"}:
        # Right after its verb, "niet" negates that verb: "de rekening klopte niet en ...".
        for k, u in enumerate(units):
            if (
                index - 2 <= u.end - 1 < index
                and not u.negated
                and (u.text in overrides or lemma(u.text, language) in overrides)
            ):
                return k
    end = index + 5
    for j in range(index + 1, min(end, len(words))):
        if words[j] in SCOPE_ENDS:
            end = j  # "ik snap niet waarom het zo lang duurt": the negation stays in its own clause
            break
    forward = next(
        (k for k, u in enumerate(units) if index < u.start < end and not u.negated), None
    )
    if forward is not None or word not in {"niet", "not"}:
        return forward
    # Dutch puts "niet" after the verb and its object: "ze erkenden de fout niet".
    before = [
        k
        for k in range(len(units) - 1, -1, -1)
        if index - 4 <= units[k].end - 1 < index and not units[k].negated
    ]
    verbs = [
        k
        for k in before
        if units[k].text in overrides or lemma(units[k].text, language) in overrides
    ]
    if verbs:
        return verbs[0]
    return next((k for k in before if index - units[k].end < 3), None)
