"""Tokens, lemmas, stems and stopwords for Dutch (and English) customer feedback.

Lemmas come from `simplemma` (Barbaresi 2023), stems from the Snowball Dutch stemmer
(`snowballstemmer`, Porter 2001) and stopwords from `stopwordsiso`; each is optional and a
small built-in fallback keeps the pipeline working without it.
"""

import re
import unicodedata
from functools import lru_cache

TOKEN_RE = re.compile(
    r"[a-zà-öø-ÿ]+(?:['’-][a-zà-öø-ÿ]+)*|\d+(?:[.,]\d+)?|[\U0001F300-\U0001FAFF☀-➿]|[:;]-?[()DPp]"
)

# Used only when stopwordsiso is not installed.
_FALLBACK_STOPWORDS = {
    "nl": set(
        "de het een en van ik je u te dat die in is was op aan met als voor had er maar om hem dan zou of wat mijn "
        "men dit zo door over ze zich bij ook tot jullie we wij zij nog al naar heb hebben heeft kan kon worden "
        "werd wordt zijn ben bent uit deze waren moet moest meer nu wel me mij haar hun hier daar toen want".split()
    ),
    "en": set(
        "the a an and of i you to that in is was on at with as for had there but it he she they we them then or "
        "what my this so by about from be been were are have has do did not very just".split()
    ),
}


def normalise(text: str) -> str:
    """Lowercase, NFC, and curly quotes made straight."""
    text = unicodedata.normalize("NFC", text or "")
    return text.replace("’", "'").replace("‘", "'").lower()


def tokenize(text: str) -> list[str]:
    """Words, numbers, emoticons and emoji of a text, lowercased."""
    return TOKEN_RE.findall(normalise(text))


@lru_cache(maxsize=4)
def _stemmer(language: str):
    try:
        import snowballstemmer
    except ImportError:
        return None
    return snowballstemmer.stemmer({"nl": "dutch", "en": "english"}.get(language, "dutch"))


@lru_cache(maxsize=65536)
def stem(word: str, language: str = "nl") -> str:
    """The Snowball stem of a word; a crude suffix strip without snowballstemmer."""
    stemmer = _stemmer(language)
    if stemmer is not None:
        return str(stemmer.stemWord(word))
    for suffix in ("heden", "heid", "ingen", "ing", "en", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def lemma(word: str, language: str = "nl") -> str:
    """The dictionary form of a word (geholpen → helpen), or the word itself without simplemma."""
    try:
        import simplemma
    except ImportError:
        return word
    try:
        return str(simplemma.lemmatize(word, lang=language))
    except ValueError:
        return word


@lru_cache(maxsize=4)
def stopwords(language: str = "nl") -> frozenset[str]:
    """Stopwords of a language, from stopwordsiso when installed."""
    words = set(_FALLBACK_STOPWORDS.get(language, set()))
    try:
        import stopwordsiso

        words |= set(stopwordsiso.stopwords(language))
    except (ImportError, KeyError):
        pass
    return frozenset(words)


def content_stems(text: str, language: str = "nl") -> list[str]:
    """Stems of the words that carry meaning: no stopwords, numbers or one-letter words."""
    stop = stopwords(language)
    return [
        stem(t, language) for t in tokenize(text) if t.isalpha() and len(t) > 2 and t not in stop
    ]
