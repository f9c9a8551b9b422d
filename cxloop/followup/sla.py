"""Due times on working hours: a weekly timetable, Dutch public holidays, Europe/Amsterdam.

Pure functions over a Calendar; no database. Working time is counted in real elapsed time
inside the opening intervals, so a day with a DST change still has its full opening hours
(the clocks change at night, outside them).
"""

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OFFICE_HOURS = {day: ((time(8, 30), time(17, 30)),) for day in range(5)}  # Mon–Fri


def dutch_public_holidays() -> Container[date]:
    """Dutch public holidays for any year (the `holidays` package computes years on demand)."""
    return holidays.country_holidays("NL")


@dataclass(frozen=True)
class Calendar:
    """Opening intervals per weekday (0 = Monday), days closed, and the time zone they are in."""

    hours: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=lambda: OFFICE_HOURS)
    closed_days: Container[date] = field(default_factory=frozenset)
    tz: ZoneInfo = AMSTERDAM

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals in UTC (none on a closed day).

        In UTC because Python compares and adds datetimes of one zone by wall-clock time,
        which is wrong across a DST change.
        """
        if day in self.closed_days:
            return []
        return [
            (
                datetime.combine(day, start, self.tz).astimezone(UTC),
                datetime.combine(day, end, self.tz).astimezone(UTC),
            )
            for start, end in self.hours.get(day.weekday(), ())
            if start < end
        ]

    def intervals_from(
        self, moment: datetime, *, max_days: int = 3660
    ) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals (clipped to start at `moment`) from the moment on."""
        day = moment.astimezone(self.tz).date()
        for offset in range(max_days):
            for start, end in self.intervals_on(day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end
        if not any(self.hours.values()):
            raise ValueError("the calendar has no opening hours")


def parse_hours(raw: Mapping[str, list[list[str]]]) -> dict[int, tuple[tuple[time, time], ...]]:
    """{"0": [["08:30", "12:00"], ["13:00", "17:30"]], ...} → the Calendar's hours; raises ValueError."""
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, intervals in raw.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
        parsed = tuple(
            sorted((time.fromisoformat(start), time.fromisoformat(end)) for start, end in intervals)
        )
        for start, end in parsed:
            if start >= end:
                raise ValueError(f"{start:%H:%M}–{end:%H:%M} ends before it starts")
        for (_, end), (next_start, _) in zip(parsed, parsed[1:], strict=False):
            if next_start < end:
                raise ValueError(f"opening hours on weekday {weekday} overlap")
        hours[weekday] = parsed
    return hours


def add_working_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The moment (in the calendar's zone) when `duration` of working time has passed after `start`."""
    if duration <= timedelta(0):
        return start
    remaining = duration
    for begin, end in calendar.intervals_from(start.astimezone(UTC)):
        available = end - begin
        if remaining <= available:
            return (begin + remaining).astimezone(calendar.tz)
        remaining -= available
    raise ValueError("no opening hours in the next ten years")


def working_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Working time from `start` to `end` (zero if end is not after start)."""
    total = timedelta(0)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return total
    for begin, finish in calendar.intervals_from(start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total
