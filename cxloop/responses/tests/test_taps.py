"""Telling a person's tap from a link scanner's: the pure rules, without a database."""

import random
from datetime import UTC, datetime, timedelta

from cxloop.responses.taps import GAP, Tap, groups, scanner_agent, settled_at, standing

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def taps_at(*pairs: tuple[int, float]) -> list[Tap]:
    """Taps given as (score, seconds after START)."""
    return [Tap(score=score, at=START + timedelta(seconds=seconds)) for score, seconds in pairs]


def test_one_tap_stands():
    assert standing(taps_at((2, 0))) == Tap(2, START)


def test_a_person_who_changes_their_mind_keeps_the_last_score():
    assert standing(taps_at((3, 0), (4, 20))).score == 4
    assert standing(taps_at((3, 0), (3, 5), (4, 20), (4, 21))).score == 4


def test_eleven_score_links_in_a_row_count_nothing_in_any_order():
    in_order = taps_at(*[(score, score * 0.3) for score in range(11)])
    assert standing(in_order) is None
    assert standing(list(reversed(in_order))) is None
    shuffled = [Tap(score=tap.score, at=START) for tap in in_order]  # all at once, in parallel
    random.Random(7).shuffle(shuffled)
    assert standing(shuffled) is None


def test_a_slow_scanner_is_one_group_as_long_as_its_gaps_are_short():
    slow = taps_at(*[(score, score * 50) for score in range(11)])  # 50 s apart, 500 s in all
    assert len(groups(slow)) == 1 and standing(slow) is None


def test_three_different_scores_in_one_group_are_a_scanner_but_two_are_not():
    assert standing(taps_at((0, 0), (1, 1))).score == 1
    assert standing(taps_at((0, 0), (1, 1), (2, 2))) is None


def test_a_person_s_tap_survives_a_later_scanner_burst():
    person = [(7, 0)]
    scanner = [(score, 3600 + score) for score in range(11)]
    assert standing(taps_at(*person, *scanner)) == Tap(7, START)


def test_a_person_s_tap_after_a_burst_counts():
    scanner = [(score, score) for score in range(11)]
    later = taps_at(*scanner, (2, 10 + GAP.total_seconds() + 1))
    assert standing(later).score == 2


def test_while_a_burst_has_only_begun_its_first_tap_stands_for_now():
    # Provisional: counted at once, taken back when the third score arrives.
    assert standing(taps_at((0, 0))).score == 0


def test_the_verdict_is_final_a_gap_after_the_last_tap():
    assert settled_at(taps_at((3, 0), (4, 20))) == START + timedelta(seconds=20) + GAP
    assert settled_at([]) is None


def test_robots_and_http_libraries_are_told_by_their_user_agent():
    for agent in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 (Windows NT 10.0) BingPreview/1.0b",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Go-http-client/1.1",
        "Java/17.0.2",
        "Apache-HttpClient/4.5.14 (Java/17)",
    ):
        assert scanner_agent(agent), agent
    for agent in (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
        "",
    ):
        assert not scanner_agent(agent), agent
