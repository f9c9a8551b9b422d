"""Finding person names in Dutch feedback, so that they can be masked before anyone reads it.

A name is found by context, not by a model:
- the organisation's own employee names (the surest signal: staff are named most often);
- a title or role before it: "meneer De Vries", "mevrouw Jansen", "dhr. Bakker", "mw. van den
  Berg", "monteur Kees", "mijn naam is …";
- a first or last name from the gazetteer, capitalised in the middle of a sentence, or at the
  start of a sentence when a verb like "hielp" or "zei" follows;
- tussenvoegsels (van, de, van der, ter …) and further capitalised words join the name.

Words that are names and ordinary words as well ("Mark", "Roos", "Bos", "Snel") need a title,
an employee list or a verb cue: capitalisation alone is not enough for them.

The gazetteer is a short list written here of common first names and surnames in the
Netherlands and Flanders. When the `deduce` package (LGPL-3.0-or-later, Dutch
de-identification) is installed, its shipped name lists are added; nothing is downloaded.
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

NAME_TOKEN = "[naam]"

FIRST_NAMES = frozenset(
    """
    aaron abdel abdelkader abdul achmed ahmed aisha ali amber amira angela anita anja anna anne
    annemarie anouk arjan arie ayoub bart bas bert bianca bram brenda carla carolien caroline
    chantal charlotte chris christiaan cindy claudia corine daan danny david dennis dewi dirk
    dominique edwin eline elif elise ellen els emma erik esther eva evelien fatima femke fleur
    floor frank freek frits gerard gert gijs hanna hans harm hendrik henk ilse inge ingrid iris
    ivo jan janneke jasper jeroen jesse joost jolanda jordy joris jos jose julia jurgen kees
    kevin khadija koen laura lars lieke lies linda lisa lotte luuk maaike manon marco marcel
    mariam marieke marije marjolein martijn martin maria marloes maarten melanie michel milan
    mohamed mohammed monique mustafa nadia naomi nicole niels nina noa noor nora olaf patrick
    paul peter petra pieter priya rachid ramon rik rob robin rogier ronald ruud sander sandra
    sanne sara sarah sem senna sevda sophie stefan stijn suzanne tamara thijs thomas tim tom
    tessa wendy willem wim youssef yvonne zeynep
    jef jens jolien lien lotte nathalie sofie wout ward bram an mark roos
    """.split()
)

SURNAMES = frozenset(
    """
    bakker bennani boer bos bosman brouwer claes claessens dekker dijkstra el hamdaoui goossens
    hendriks hermans hoekstra huisman jacobs jansen janssen janssens jong kok koster kuipers
    maes meijer mertens molenaar mulder peeters peters postma prins schouten smit smits
    timmermans veenstra verbeek verhoeven vermeulen visser vos wijnen willems wouters yilmaz
    boukhari kaya demir öztürk lambrechts de vries dijk berg leeuw wit haan graaf groot beek
    meer brink veen heuvel linden wal sluis dam ende bruijn
    """.split()
)

# Names that are ordinary Dutch words too: never a name on capitalisation alone.
AMBIGUOUS = frozenset(
    """
    mark roos bos snel goed best wil hoop ben berg vos visser bakker smit kok koster boer prins
    post klein groot lang kort jong wit zwart koning staal ster engel vink haan bloem hart vrij
    lief meer dam dijk hof beek veen brink wal sluis haas de van an floor bas
    """.split()
) | frozenset({"goed", "fijn", "top", "prima", "super", "klant", "dank", "groet", "groeten"})

TUSSENVOEGSELS = frozenset(
    "van de der den het ter ten te in 't t op 's la le du da di del von vd v.d. v/d".split()
)

TITLES = (
    r"meneer|mevrouw|mevr\.?|mw\.?|mvr\.?|dhr\.?|de\s+heer|mr\.?|mej\.?|juffrouw|juf|meester|"
    r"dokter|dr\.?|ir\.?|ing\.?|drs\.?|collega|medewerker|medewerkster|monteur|adviseur|"
    r"adviseuse|agent|chauffeur|bezorger|consulent|behandelaar|verkoper|verkoopster|"
    r"naam\s+is|heet|heette|genaamd|ik\s+ben|sir|mister|mrs\.?|ms\.?"
)
TITLE_RE = re.compile(rf"(?<![\w])(?:{TITLES})\s+$", re.IGNORECASE)

# Verbs that follow a person more often than a thing: "Sandra hielp me", "Roos zei dat".
CUE_VERBS = frozenset(
    """
    hielp helpt heeft had hadden was is belde belt zei zegt vertelde legde loste kwam kwamen
    reageerde stuurde mailde beloofde dacht deed sprak nam gaf wist regelde zorgde
    """.split()
)
# Verbs clear enough to make even "Mark" or "Roos" a person: "Mark hielp me".
STRONG_CUE_VERBS = CUE_VERBS - {
    "heeft",
    "had",
    "hadden",
    "was",
    "is",
    "kwam",
    "kwamen",
    "nam",
    "gaf",
    "deed",
}
# Words that put a place after them: "in Den Haag", "uit Gent".
PLACE_BEFORE = frozenset("in uit naar te richting vanuit".split())

WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’.-]*|\[[^\]]+\]|\S")
INITIAL_RE = re.compile(r"^(?:[A-Z]\.){1,4}$")
SENTENCE_END = frozenset(".!?:;\n")


@lru_cache(maxsize=1)
def _deduce_lists() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames shipped in the `deduce` package, read as plain files if it is installed."""
    spec = find_spec("deduce")  # finding the package does not import it or its dependencies
    if spec is None or not spec.submodule_search_locations:
        return frozenset(), frozenset()
    base = Path(next(iter(spec.submodule_search_locations))) / "data/lookup/src/names"

    def read(name: str) -> frozenset[str]:
        path = base / name / "items.txt"
        if not path.exists():
            return frozenset()
        return frozenset(
            line.strip().lower() for line in path.read_text("utf-8").splitlines() if line.strip()
        )

    return read("lst_first_name"), read("lst_surname")


def gazetteer(*, use_deduce: bool = True) -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), lowercased: the list written here plus deduce's lists when installed."""
    first, last = _deduce_lists() if use_deduce else (frozenset(), frozenset())
    return FIRST_NAMES | first, SURNAMES | last


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() or (len(word) > 1 and word.istitle())


def _employee_parts(employee_names: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Whole employee names and their parts long enough to be told apart (not "de", not "Jo")."""
    return _employee_parts_of(tuple(employee_names))


@lru_cache(maxsize=32)
def _employee_parts_of(employee_names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    wholes, parts = set(), set()
    for name in employee_names:
        words = [w for w in re.split(r"\s+", name.strip()) if w]
        if not words:
            continue
        wholes.add(" ".join(words).lower())
        for word in words:
            if word.lower() not in TUSSENVOEGSELS and len(word) >= 3:
                parts.add(word.lower())
    return frozenset(wholes), frozenset(parts)


@lru_cache(maxsize=32)
def _whole_names_pattern(wholes: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for all of an organisation's employee names, longest first."""
    if not wholes:
        return None
    names = sorted(wholes, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, whole.split())) for whole in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def find_names(
    text: str, *, employee_names: Sequence[str] = (), use_deduce: bool = True
) -> list[tuple[int, int]]:
    """Character spans (start, end) of the person names in a text, merged and in order."""
    first_names, surnames = gazetteer(use_deduce=use_deduce)
    curated = FIRST_NAMES | SURNAMES
    _, employee_words = _employee_parts(employee_names)
    words = [(m.start(), m.end(), m.group(0)) for m in WORD_RE.finditer(text)]
    # A trailing full stop belongs to the sentence, except in initials and titles ("dhr.").
    words = [
        (s, e - 1, w[:-1])
        if w.endswith(".") and len(w) > 2 and not INITIAL_RE.match(w)
        else (s, e, w)
        for s, e, w in words
    ]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        start, end, word = words[i]
        lower = word.lower().strip("'’")
        before = text[:start].rstrip(" \t\"'(")
        at_sentence_start = (
            not before or before[-1] in SENTENCE_END or "\n" in text[len(before) : start]
        )
        following = words[i + 1][2].lower() if i + 1 < len(words) else ""
        titled = bool(TITLE_RE.search(text[max(0, start - 30) : start]))
        k = i - 1
        while k >= 0 and words[k][2].lower() in TUSSENVOEGSELS - PLACE_BEFORE:
            k -= 1
        after_place_word = k >= 0 and words[k][2].lower() in PLACE_BEFORE
        next_is_surname = i + 1 < len(words) and (
            _is_capitalised(words[i + 1][2])
            and words[i + 1][2].lower() in surnames
            or words[i + 1][2].lower() in TUSSENVOEGSELS
            and i + 2 < len(words)
            and _is_capitalised(words[i + 2][2])
        )

        is_name = False
        if lower in employee_words and (_is_capitalised(word) or titled):
            is_name = True
        elif titled and (
            _is_capitalised(word) or INITIAL_RE.match(word) or lower in TUSSENVOEGSELS
        ):
            is_name = True
        elif (
            _is_capitalised(word)
            and (lower in first_names or lower in surnames)
            and not after_place_word
        ):
            if lower in AMBIGUOUS:
                is_name = following in STRONG_CUE_VERBS or (
                    following in CUE_VERBS and not at_sentence_start
                )
            elif at_sentence_start:
                # Any word can start a sentence: only a name from the short list here, or one
                # followed by a verb or a surname, is taken for a person.
                is_name = lower in curated or following in STRONG_CUE_VERBS or next_is_surname
            else:
                is_name = True
        if not is_name or (lower in TUSSENVOEGSELS and not titled):
            i += 1
            continue
        # Take in initials, tussenvoegsels and further capitalised words: "Sandra van den Berg".
        j = i + 1
        last_end = end if lower not in TUSSENVOEGSELS else None
        while j < len(words):
            _, e2, w2 = words[j]
            if (
                words[j][0] - words[j - 1][1] > 1
                and not text[words[j - 1][1] : words[j][0]].isspace()
            ):
                break
            if w2.lower() in TUSSENVOEGSELS or INITIAL_RE.match(w2):
                j += 1
                continue
            if _is_capitalised(w2) and (w2.lower() not in CUE_VERBS) and not w2.startswith("["):
                last_end = e2
                j += 1
                continue
            break
        if last_end is not None:
            spans.append((start, last_end))
        i = j
    return spans


def name_spans(
    text: str, *, employee_names: Sequence[str] = (), use_deduce: bool = True
) -> list[tuple[int, int]]:
    """Spans of person names: whole employee names in any case, and what `find_names` finds."""
    wholes, _ = _employee_parts(employee_names)
    # "sandra de vries" typed in lowercase is still an employee's name.
    pattern = _whole_names_pattern(wholes)
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)] if pattern else []
    spans += find_names(text, employee_names=employee_names, use_deduce=use_deduce)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_names(
    text: str, *, employee_names: Sequence[str] = (), use_deduce: bool = True
) -> tuple[str, bool]:
    """The text with every person name replaced by [naam], and whether any was."""
    spans = name_spans(text, employee_names=employee_names, use_deduce=use_deduce)
    for start, end in reversed(spans):
        text = text[:start] + NAME_TOKEN + text[end:]
    return text, bool(spans)
