"""A person's tap on a score link, or a link scanner's: pure functions over an invitation's taps.

Mail gateways (Defender Safe Links, Mimecast, Proofpoint, Barracuda, ...) open the links of an
incoming e-mail to check them, often all of them within seconds and in parallel: all eleven
score links of an invitation. A person taps one score, now and then a second when they change
their mind. So taps that follow each other within GAP form a group; a group holding
SCANNER_SCORES or more different scores was a scanner and none of its taps counts. The score
that stands is the last tap of the latest group that was not a scanner's. The decision and its
reasons are in docs/survey-links.md.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

GAP = timedelta(seconds=60)
SCANNER_SCORES = 3
# The latest taps judged: enough for any person and scanner, and a bound on a link hammered for days.
HISTORY = 200
# Clients that say what they are: robots ("Googlebot", "BingPreview"; case-sensitive, so that a
# phone model called "CUBOT" is no bot) and HTTP libraries ("curl/8.5", "python-requests/2.32").
ROBOTS = re.compile(r"(?:[Bb]ot|[Cc]rawler|[Ss]pider|[Ss]canner|[Pp]review)\b")
LIBRARIES = re.compile(
    r"\b(?:curl|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|okhttp|java"
    r"|apache-httpclient|libwww-perl)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Tap:
    """One opened score link: the score and when."""

    score: int
    at: datetime


def groups(taps: Sequence[Tap]) -> list[list[Tap]]:
    """The taps in time order, split where more than GAP passed between two of them."""
    result: list[list[Tap]] = []
    for tap in sorted(taps, key=lambda t: t.at):
        if result and tap.at - result[-1][-1].at <= GAP:
            result[-1].append(tap)
        else:
            result.append([tap])
    return result


def is_scanner(group: Sequence[Tap]) -> bool:
    """Whether a group of taps holds too many different scores to be one person's."""
    return len({tap.score for tap in group}) >= SCANNER_SCORES


def standing(taps: Sequence[Tap]) -> Tap | None:
    """The tap whose score counts: the last of the latest group that was not a scanner's."""
    for group in reversed(groups(taps)):
        if not is_scanner(group):
            return group[-1]
    return None


def settled_at(taps: Sequence[Tap]) -> datetime | None:
    """When the latest group can no longer grow, so its verdict is final (the rules wait for it)."""
    return max(tap.at for tap in taps) + GAP if taps else None


def scanner_agent(user_agent: str) -> bool:
    """Whether a User-Agent names a bot, a link checker or an HTTP library rather than a browser."""
    return bool(ROBOTS.search(user_agent) or LIBRARIES.search(user_agent))
