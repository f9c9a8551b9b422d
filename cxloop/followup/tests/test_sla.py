"""Due times on working hours, tested on plain data with dates from the real Dutch calendar."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxloop.followup.sla import (
    Calendar,
    add_working_time,
    dutch_public_holidays,
    parse_hours,
    working_time_between,
)

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = Calendar(closed_days=dutch_public_holidays())


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 11, 23, 10, 0), 4, at(2026, 11, 23, 14, 0)),  # within a Monday
        (at(2026, 11, 23, 16, 0), 4, at(2026, 11, 24, 11, 0)),  # over the evening: 1.5 h + 2.5 h
        (
            at(2026, 11, 23, 20, 0),
            1,
            at(2026, 11, 24, 9, 30),
        ),  # opened at night: the clock starts at 08:30
        (at(2026, 11, 27, 17, 0), 1, at(2026, 11, 30, 9, 0)),  # Friday afternoon: over the weekend
        (at(2026, 11, 28, 12, 0), 8, at(2026, 11, 30, 16, 30)),  # opened on Saturday
        # The Thursday before Easter 2026 at 17:00: 30 minutes left that day; Good Friday,
        # the weekend and Easter Monday are closed; the clock goes on on Tuesday 7 April.
        (at(2026, 4, 2, 17, 0), 4, at(2026, 4, 7, 12, 0)),
        # King's Day (Monday 27 April 2026) is closed.
        (at(2026, 4, 24, 17, 0), 1, at(2026, 4, 28, 9, 0)),
        # Christmas: Friday 25 December 2026 is closed, the 26th is a Saturday.
        (at(2026, 12, 24, 17, 0), 2, at(2026, 12, 28, 10, 0)),
    ],
)
def test_due_times_skip_evenings_weekends_and_dutch_holidays(start, hours, due):
    assert add_working_time(OFFICE, start, timedelta(hours=hours)) == due


def test_a_dst_change_overnight_does_not_change_the_working_hours():
    # Summer time starts in the night of 28–29 March 2026 (a weekend), ends 24–25 October.
    spring = add_working_time(OFFICE, at(2026, 3, 27, 17, 0), timedelta(hours=1))
    assert spring == at(2026, 3, 30, 9, 0)
    assert spring.utcoffset() == timedelta(hours=2)
    autumn = add_working_time(OFFICE, at(2026, 10, 23, 17, 0), timedelta(hours=1))
    assert autumn == at(2026, 10, 26, 9, 0) and autumn.utcoffset() == timedelta(hours=1)
    # A calendar open around the clock counts the real hour that the night loses or gains.
    always = Calendar(hours={d: ((time(0, 0), time(23, 59, 59, 999999)),) for d in range(7)})
    assert add_working_time(always, at(2026, 3, 29, 1, 0), timedelta(hours=2)) == at(
        2026, 3, 29, 4, 0
    )


def test_split_business_hours():
    lunch = Calendar(
        hours=parse_hours({str(d): [["08:30", "12:00"], ["13:00", "17:00"]] for d in range(5)})
    )
    assert add_working_time(lunch, at(2026, 11, 23, 11, 0), timedelta(hours=2)) == at(
        2026, 11, 23, 14, 0
    )
    assert working_time_between(
        lunch, at(2026, 11, 23, 8, 0), at(2026, 11, 23, 18, 0)
    ) == timedelta(hours=7, minutes=30)


def test_a_closed_day_may_be_stored_as_an_empty_list():
    hours = parse_hours({"0": [["09:00", "17:00"]], "5": []})
    assert hours[5] == ()
    assert add_working_time(
        Calendar(hours=hours), at(2026, 11, 23, 16, 0), timedelta(hours=2)
    ) == at(2026, 11, 30, 10, 0)


def test_working_time_between_is_the_inverse_of_adding_it():
    start = at(2026, 4, 1, 15, 0)
    for hours in (1, 5, 9, 27):
        due = add_working_time(OFFICE, start, timedelta(hours=hours))
        assert working_time_between(OFFICE, start, due) == timedelta(hours=hours)
    assert working_time_between(OFFICE, start, start - timedelta(hours=1)) == timedelta(0)


@pytest.mark.parametrize(
    "raw",
    [
        {"7": [["08:00", "17:00"]]},
        {"0": [["17:00", "08:00"]]},
        {"0": [["08:00", "12:00"], ["11:00", "17:00"]]},
        {"0": [["8 uur", "17:00"]]},
    ],
)
def test_bad_opening_hours_are_refused(raw):
    with pytest.raises(ValueError):
        parse_hours(raw)


def test_a_calendar_without_hours_is_an_error_not_an_endless_loop():
    with pytest.raises(ValueError):
        add_working_time(Calendar(hours={}), at(2026, 11, 23, 9, 0), timedelta(hours=1))
