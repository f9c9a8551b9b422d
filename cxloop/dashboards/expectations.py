"""How fast customers expect an answer per channel (seed 002, SAMR's "Gouden Regels"), as pure rules.

| channel | expected |
| --- | --- |
| telefoon | picked up within half a minute (30 s) |
| persoonlijk, chat | immediately, during the contact (taken as ≤ 60 s) |
| social media, WhatsApp, website/app, Facebook Messenger | the same working day |
| e-mail | the same working day or within one working day |

A "working day" is Monday to Friday except Dutch public holidays. The customer asked at the
interaction's `occurred_at` and was answered `wait_seconds` later; an answer by the end (midnight,
Europe/Amsterdam) of the deadline day is within expectation. A question asked on a weekend or a
holiday has the next working day as its "same working day".
"""

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Expectation:
    """Either a number of seconds or a number of working days after the day of the question."""

    text: str  # for people (lazily translated)
    seconds: int | None = None
    working_days: int | None = None  # 0 = the same working day, 1 = the next


SECONDS_30 = Expectation(_("picked up within 30 seconds"), seconds=30)
IMMEDIATELY = Expectation(_("immediately, during the contact (≤ 60 seconds)"), seconds=60)
SAME_DAY = Expectation(_("the same working day"), working_days=0)
NEXT_DAY = Expectation(_("the same or the next working day"), working_days=1)

# Channel slugs as the demo and most imports spell them, with a few common variants.
BY_SLUG: dict[str, Expectation] = {
    **dict.fromkeys(("telefoon", "phone", "telephone"), SECONDS_30),
    **dict.fromkeys(
        ("chat", "live-chat", "persoonlijk", "balie", "face-to-face", "in-person"), IMMEDIATELY
    ),
    **dict.fromkeys(
        (
            "social-media",
            "whatsapp",
            "website-app",
            "website",
            "app",
            "messenger",
            "facebook-messenger",
        ),
        SAME_DAY,
    ),
    **dict.fromkeys(("e-mail", "email", "mail"), NEXT_DAY),
}
SECOND_LIMITS = tuple(sorted({e.seconds for e in BY_SLUG.values() if e.seconds is not None}))


def for_channel(slug: str) -> Expectation | None:
    return BY_SLUG.get(slug.lower())


def is_working_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def deadline_day(asked: date, working_days: int, holidays: Container[date]) -> date:
    """The last day on which an answer meets "the same (or n-th next) working day"."""
    day = asked
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    for _step in range(working_days):
        day += timedelta(days=1)
        while not is_working_day(day, holidays):
            day += timedelta(days=1)
    return day


def extra_days(asked: date, expectation: Expectation, holidays: Container[date]) -> int:
    """Whole days from the day of the question to its deadline day (0 = by midnight the same day)."""
    if expectation.working_days is None:
        raise ValueError("this expectation is in seconds")
    return (deadline_day(asked, expectation.working_days, holidays) - asked).days


def within(
    expectation: Expectation,
    *,
    asked_day: date,
    seconds_into_day: int,
    wait_seconds: int,
    holidays: Container[date],
) -> bool:
    """Whether one answer met the expectation (the rule the grouped query counts in bulk)."""
    if expectation.seconds is not None:
        return wait_seconds <= expectation.seconds
    limit = (extra_days(asked_day, expectation, holidays) + 1) * 86400
    return seconds_into_day + wait_seconds <= limit
