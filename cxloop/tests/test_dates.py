"""One date format for staff, in Europe/Amsterdam: "3 dec 2026 14:05"."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from cxloop.lib.dates import day, iso, when


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_a_moment_in_amsterdam_time_winter_and_summer():
    assert when(datetime(2026, 12, 3, 13, 5, 7, 123456, tzinfo=UTC)) == "3 dec 2026 14:05"
    assert when(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "1 jul 2026 10:00"


def test_a_date_and_a_moments_day():
    assert day(date(2026, 3, 9)) == "9 mrt 2026"
    assert (
        day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1 jan 2027"
    )  # already the 1st in Amsterdam
    assert when(date(2026, 3, 9)) == "9 mrt 2026"


def test_iso_strings_from_an_export_read_the_same():
    assert when("2026-12-03T13:05:07.123456+00:00") == "3 dec 2026 14:05"
    assert day("2026-12-03") == "3 dec 2026"
    assert when("not a date") == "not a date" and when(None) == "" and when("") == ""


def test_time_datetime_values_have_no_microseconds_and_carry_the_offset():
    assert iso(datetime(2026, 12, 3, 13, 5, 7, 123456, tzinfo=UTC)) == "2026-12-03T14:05:07+01:00"
    assert iso(date(2026, 12, 3)) == "2026-12-03"


def test_the_filters_are_built_into_every_template_and_django_uses_the_same_format():
    moment = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    rendered = Template("{{ at|when }}|{{ at|iso }}|{{ at }}|{{ at|date }}").render(
        Context({"at": moment})
    )
    assert rendered == "3 dec 2026 14:05|2026-12-03T14:05:00+01:00|3 dec 2026 14:05|3 dec 2026"
