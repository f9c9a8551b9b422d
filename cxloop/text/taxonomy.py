"""The default Dutch topic taxonomy of customer service, and tagging an answer by a taxonomy's keywords.

Keywords are matched on Snowball stems, so "wachttijden" finds "wachttijd"; a keyword of
several words must appear in that order; a keyword of five letters or more also matches
inside a compound ("telefoonwachttijd").
"""

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
            "information",
        ),
    ),
    TopicSpec(
        "prijs",
        "Prijs en kosten",
        (
            "prijs",
            "kosten",
            "duur",
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
            "duurde",
            "duurt",
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


def _keyword_stems(keyword: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokenize(keyword))


@lru_cache(maxsize=256)
def _compiled(keywords: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(s for s in (_keyword_stems(k) for k in keywords) if s)


def matched_keywords(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords of one topic that occur in a text."""
    tokens = tokenize(text)
    stems = [stem(t) for t in tokens]
    found = []
    for keyword, parts in zip(keywords, _compiled(tuple(keywords)), strict=False):
        if _occurs(parts, stems, tokens):
            found.append(keyword)
    return found


def _occurs(parts: tuple[str, ...], stems: list[str], tokens: list[str]) -> bool:
    if len(parts) == 1:
        part = parts[0]
        if part in stems:
            return True
        # Inside a compound: "telefoonwachttijd", but not "app" inside "apparaat".
        return len(part) >= 5 and any(len(s) > len(part) + 2 and s.endswith(part) for s in stems)
    n = len(parts)
    return any(tuple(stems[i : i + n]) == parts for i in range(len(stems) - n + 1))


def tag_text(text: str, topics: Iterable[TopicSpec]) -> list[str]:
    """Slugs of the topics whose keywords occur in the text."""
    return [topic.slug for topic in topics if matched_keywords(text, topic.keywords)]
