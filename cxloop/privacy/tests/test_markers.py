"""The pure helpers: how a customer is recognised in text, and the calendar arithmetic of retention."""

from datetime import datetime
from zoneinfo import ZoneInfo

from cxloop.privacy import markers
from cxloop.privacy.services import local_noon, months_before

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_a_phone_number_is_recognised_in_its_dutch_spellings():
    assert markers.phone_variants("+31 6 1357 9246") == {
        "+31 6 1357 9246",
        "+31613579246",
        "0613579246",
    }
    assert markers.phone_variants("06-13579246") == {"06-13579246", "0613579246", "+31613579246"}
    assert markers.phone_variants("0031613579246") >= {"0613579246", "+31613579246"}
    assert markers.phone_variants("112") == set()  # too short to search for safely


def test_markers_hold_the_written_forms_and_leave_out_what_is_too_short():
    found = markers.build(
        key="K-1",
        emails=["a.b@voorbeeld.nl"],
        phones=[],
        texts=[
            "Prima",
            "Meneer O'Brien wachtte drie kwartier op de monteur en werd niet teruggebeld.",
        ],
    )
    assert (
        "K-1" not in found.text and '"K-1"' in found.json
    )  # a short key only as a whole JSON value
    assert "a.b@voorbeeld.nl" in found.text
    assert "Prima" not in found.text
    assert (
        "Meneer O&#x27;Brien wachtte drie kwartier op de monteur en werd niet teruggebeld."
        in found.text
    )
    assert "Meneer O'Brien wachtte drie kwartier op" in found.text  # the first 40 characters
    assert markers.build(key="", emails=[], phones=[], texts=[]).json == ()


def test_redact_and_mentions_ignore_case_and_take_the_longest_marker_first():
    found = markers.build(key="KLANT-12345", emails=[], phones=[], texts=[])
    assert markers.mentions("zie klant-12345 hierboven", found)
    assert markers.redact("zie klant-12345 hierboven", found) == "zie [erased] hierboven"
    assert not markers.mentions("KLANT-1234", found)


def test_months_before_keeps_the_time_and_clamps_the_day():
    moment = datetime(2026, 3, 31, 14, 5, tzinfo=AMSTERDAM)
    assert months_before(moment, 1) == datetime(2026, 2, 28, 14, 5, tzinfo=AMSTERDAM)
    assert months_before(moment, 12) == datetime(2025, 3, 31, 14, 5, tzinfo=AMSTERDAM)
    assert months_before(moment, 25) == datetime(2024, 2, 29, 14, 5, tzinfo=AMSTERDAM)
    assert months_before(datetime(2026, 1, 15, tzinfo=AMSTERDAM), 1) == datetime(
        2025, 12, 15, tzinfo=AMSTERDAM
    )


def test_an_anonymous_score_keeps_its_local_day_but_not_its_minute():
    late = datetime(2026, 6, 1, 21, 59, tzinfo=ZoneInfo("UTC"))  # 23:59 in Amsterdam
    assert local_noon(late) == datetime(2026, 6, 1, 12, 0, tzinfo=AMSTERDAM)
    early = datetime(2026, 6, 1, 22, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on 2 June in Amsterdam
    assert local_noon(early).date() == datetime(2026, 6, 2).date()
