"""Personal data is masked before anyone reads an answer."""

import pytest

from cxloop.text.pii import iban_is_valid, mask_pii


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("Bel mij op 06-12345678 aub", "[telefoonnummer]"),
        ("Mijn nummer is +31 6 1234 5678.", "[telefoonnummer]"),
        ("Thuis: 020-1234567", "[telefoonnummer]"),
        ("Mail naar jan.jansen@example.nl", "[e-mail]"),
        ("Rekening NL91ABNA0417164300 graag", "[IBAN]"),
        ("Rekening NL91 ABNA 0417 1643 00 graag", "[IBAN]"),
        ("Kenteken 12-ABC-3 is beschadigd", "[kenteken]"),
        ("Auto AB-123-C staat klaar", "[kenteken]"),
        ("Ik woon op 1234 AB 12 in Utrecht", "[adres]"),
        ("Kerkstraat 5a, de bel werkt niet", "[adres]"),
    ],
)
def test_dutch_personal_data_is_masked(text, token):
    masked = mask_pii(text)
    assert token in masked.text
    assert not any(ch.isdigit() for ch in masked.text.replace("3 keer", ""))


def test_numbers_that_are_not_personal_stay():
    text = "In 2023 heb ik 3 keer gebeld en 20 minuten gewacht op 12-03-2024."
    assert mask_pii(text).text == text


def test_what_was_found_is_reported_once_per_kind():
    masked = mask_pii("06-12345678 of 06-87654321, mail a@b.nl")
    assert masked.found == ("email", "phone")


def test_iban_check_digits():
    assert iban_is_valid("NL91ABNA0417164300")
    assert not iban_is_valid("NL92ABNA0417164300")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sandra hielp me heel goed.", "Sandra"),
        ("Ik sprak met meneer De Vries over de rekening.", "Vries"),
        ("Mevrouw Jansen was kortaf.", "Jansen"),
        ("dhr. Bakker belde niet terug.", "Bakker"),
        ("Het gesprek met mw. van den Berg was prettig.", "Berg"),
        ("Bedankt Pieter en Lotte!", "Lotte"),
        ("Mark hielp mij met het formulier.", "Mark"),
    ],
)
def test_person_names_are_masked(text, name):
    masked = mask_pii(text)
    assert name not in masked.text and "[naam]" in masked.text
    assert masked.found == ("name",)


@pytest.mark.parametrize(
    "text",
    [
        "Mark je afspraak in de agenda.",
        "Er stond een roos op de balie.",
        "Het bos achter de garage was afgezet.",
        "Snel geholpen, goed advies.",
        "Bij de balie in Den Haag was het druk.",
    ],
)
def test_ordinary_words_that_are_also_names_stay(text):
    assert mask_pii(text).text == text


def test_the_organisations_employee_names_are_masked_in_any_form():
    staff = ["Roos Hendriks", "Ayoub El Amrani"]
    masked = mask_pii(
        "Roos was top, ayoub el amrani niet. Hendriks belde terug.", employee_names=staff
    )
    assert masked.text == "[naam] was top, [naam] niet. [naam] belde terug."
    # Without the staff list "Roos" is a flower at the start of a sentence.
    assert mask_pii("Roos was top.").text == "Roos was top."
