"""The default Dutch topic taxonomy of customer service, and tagging an answer by a taxonomy's keywords.

Keywords are matched on Snowball stems, so "wachttijden" finds "wachttijd"; a keyword of
several words must appear in that order; a keyword of five letters or more also matches
inside a compound ("telefoonwachttijd").

Two forms for what stems cannot tell:
- "belde … terug" (or "belde ... terug"): the parts in this order with a few words
  between them (at most eight), for Dutch separable verbs ("niemand belde mij terug").
- "=duur": this exact word only, where two words share a stem ("duur" the price and "duurde"
  the time both stem to "duur").
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cxloop.text.tokens import stem, tokenize


@dataclass(frozen=True)
class TopicSpec:
    """A topic: a slug, a name and the keywords that tag it."""

    slug: str
    name: str
    keywords: tuple[str, ...]


DEFAULT_TAXONOMY: tuple[TopicSpec, ...] = (
    TopicSpec(
        "bereikbaarheid",
        "Bereikbaarheid en wachttijd",
        (
            "wachttijd",
            "wachten",
            "gewacht",
            "in de wacht",
            "wachtrij",
            "bereikbaar",
            "onbereikbaar",
            "opgenomen",
            "opnemen",
            "doorverbonden",
            "doorverbinden",
            "bandje",
            "te druk",
            "aan de lijn",
            "aan de telefoon",
            "openingstijden",
            "keuzemenu",
            "keer gebeld",
            "keer bellen",
            "x gebeld",
            "chat",
            "reageren op",
            "onbeantwoord",
            "nergens op gereageerd",
            "hold",
            "waited",
            "wachtmuziek",
            "muziekje",
            "opgehangen",
            "verbinding",
        ),
    ),
    TopicSpec(
        "vriendelijkheid",
        "Vriendelijkheid",
        (
            "vriendelijk",
            "onvriendelijk",
            "klantvriendelijk",
            "aardig",
            "beleefd",
            "kortaf",
            "onbeschoft",
            "chagrijnig",
            "behulpzaam",
            "geduldig",
            "hartelijk",
            "serieus genomen",
            "respect",
            "houding",
            "arrogant",
            "uitgelachen",
            "te woord gestaan",
            "prettig contact",
            "prettig gesprek",
            "friendly",
            "rude",
            "polite",
            "ongeïnteresseerd",
            "nors",
            "afgescheept",
            "lief",
            "sympathiek",
            "gastvrij",
        ),
    ),
    TopicSpec(
        "deskundigheid",
        "Deskundigheid",
        (
            "deskundig",
            "ondeskundig",
            "kundig",
            "kennis",
            "advies",
            "vakkundig",
            "professioneel",
            "incompetent",
            "navragen",
            "meegedacht",
            "dacht mee",
            "denkt mee",
            "meedenken",
            "expertise",
            "wist niet",
            "geen idee",
            "antwoorden",
            "opgelost",
            "oplossing",
            "verstand",
            "knowledgeable",
            "solved",
            "kennis van zaken",
            "vak",
        ),
    ),
    TopicSpec(
        "afspraken",
        "Afspraken nakomen en terugbellen",
        (
            "afspraak",
            "afgesproken",
            "beloofd",
            "belofte",
            "beloofden",
            "toegezegd",
            "terugbellen",
            "teruggebeld",
            "terugbelverzoek",
            "terugbelafspraak",
            "bel … terug",
            "belde … terug",
            "belden … terug",
            "belt … terug",
            "bellen … terug",
            "terug … bellen",
            "zou … bellen",
            "zouden … bellen",
            "zou … terugkomen",
            "zouden … mailen",
            "zou … langskomen",
            "kwam niemand",
            "niets meer gehoord",
            "nooit meer iets van gehoord",
            "beloven",
            "nagekomen",
            "nakomen",
            "opdagen",
            "afgezegd",
            "called back",
            "promised",
            "appointment",
        ),
    ),
    TopicSpec(
        "informatie",
        "Informatievoorziening",
        (
            "informatie",
            "info",
            "uitleg",
            "uitgelegd",
            "onduidelijk",
            "communicatie",
            "op de hoogte",
            "update",
            "status",
            "brief",
            "vervolgstappen",
            "geïnformeerd",
            "voortgang",
            "aan toe",
            "hoe het ervoor stond",
            "duidelijke",
            "heldere",
            "vakjargon",
            "gecommuniceerd",
            "aankondiging",
            "aangekondigd",
            "information",
        ),
    ),
    TopicSpec(
        "prijs",
        "Prijs en kosten",
        (
            "prijs",
            "kosten",
            "=duur",
            "=dure",
            "=duurder",
            "goedkoop",
            "tarief",
            "premie",
            "rekening",
            "factuur",
            "betalen",
            "geld",
            "offerte",
            "aanbieding",
            "korting",
            "eigen risico",
            "price",
            "invoice",
            "expensive",
            "prijs-kwaliteit",
        ),
    ),
    TopicSpec(
        "levering",
        "Levering en bezorging",
        (
            "levering",
            "geleverd",
            "bezorgd",
            "bezorging",
            "bezorger",
            "pakket",
            "bestelling",
            "verzending",
            "verzonden",
            "afgeleverd",
            "artikel",
            "delivery",
            "delivered",
            "aangebeld",
            "verpakt",
            "pakketbezorger",
        ),
    ),
    TopicSpec(
        "klachtafhandeling",
        "Klachtafhandeling",
        (
            "klacht",
            "klachten",
            "klachtafhandeling",
            "klachtenafdeling",
            "bezwaar",
            "excuses",
            "compensatie",
            "ombudsman",
            "geschil",
            "vergoeding",
            "complaint",
            "erkenden de fout",
        ),
    ),
    TopicSpec(
        "website-app",
        "Website en app",
        (
            "website",
            "site",
            "app",
            "online",
            "inloggen",
            "mijn omgeving",
            "portaal",
            "digid",
            "wachtwoord",
            "internet",
            "chatbot",
            "webshop",
            "crasht",
            "website",
            "betalen online",
        ),
    ),
    TopicSpec(
        "formaliteiten",
        "Formaliteiten en administratie",
        (
            "formulier",
            "formulieren",
            "papierwerk",
            "handtekening",
            "ondertekend",
            "kopie",
            "paspoort",
            "legitimatie",
            "machtiging",
            "polis",
            "contract",
            "opzeggen",
            "zeg mijn contract op",
            "voorwaarden",
            "procedure",
            "bureaucratisch",
            "bureaucratie",
            "administratie",
            "gegevens",
            "wijziging",
            "paperwork",
        ),
    ),
    TopicSpec(
        "doorlooptijd",
        "Doorlooptijd en afhandeling",
        (
            "doorlooptijd",
            "=duurde",
            "=duurt",
            "=duren",
            "=geduurd",
            "snel klaar",
            "reparatie",
            "weken",
            "maanden",
            "afhandeling",
            "beslissing",
            "achterstand",
            "vertraging",
            "binnen een week",
            "snelle afhandeling",
        ),
    ),
)


GAP = re.compile(r"\s*(?:…|\.\.\.)\s*")
MAX_GAP = (
    8  # words allowed between the parts of "belde … terug": "belden me na een week nog niet terug"
)


@dataclass(frozen=True)
class _Pattern:
    exact: bool  # "=duur": compare words, not stems
    segments: tuple[tuple[str, ...], ...]  # "belde … terug": ("bel",), ("terug",)


def _pattern(keyword: str) -> _Pattern | None:
    exact = keyword.startswith("=")
    parts = GAP.split(keyword.removeprefix("="))
    segments = tuple(
        tuple(t if exact else stem(t) for t in tokenize(part)) for part in parts if part.strip()
    )
    return _Pattern(exact, segments) if segments and all(segments) else None


@lru_cache(maxsize=256)
def _compiled(keywords: tuple[str, ...]) -> tuple[_Pattern | None, ...]:
    return tuple(_pattern(k) for k in keywords)


def matched_keywords(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords of one topic that occur in a text."""
    tokens = tokenize(text)
    stems = [stem(t) for t in tokens]
    return [
        keyword
        for keyword, pattern in zip(keywords, _compiled(tuple(keywords)), strict=True)
        if pattern is not None and _occurs(pattern, tokens if pattern.exact else stems)
    ]


def _occurs(pattern: _Pattern, words: list[str]) -> bool:
    first = pattern.segments[0]
    if len(pattern.segments) == 1 and len(first) == 1:
        part = first[0]
        if part in words:
            return True
        # Inside a compound: "telefoonwachttijd", but not "app" inside "apparaat".
        return (
            not pattern.exact
            and len(part) >= 5
            and any(len(w) > len(part) + 2 and w.endswith(part) for w in words)
        )
    return _segments_from(pattern.segments, words, 0, len(words))


def _segments_from(
    segments: tuple[tuple[str, ...], ...], words: list[str], start: int, stop: int
) -> bool:
    """Whether the segments occur in order, the first starting in [start, stop)."""
    if not segments:
        return True
    head, n = segments[0], len(segments[0])
    for i in range(start, min(stop, len(words) - n + 1)):
        if tuple(words[i : i + n]) == head and _segments_from(
            segments[1:], words, i + n, i + n + MAX_GAP + 1
        ):
            return True
    return False


def tag_text(text: str, topics: Iterable[TopicSpec]) -> list[str]:
    """Slugs of the topics whose keywords occur in the text."""
    return [topic.slug for topic in topics if matched_keywords(text, topic.keywords)]
