"""Masking personal data in open answers: phone numbers, e-mail, IBANs, BSNs, licence plates, addresses, names.

Patterns follow the Dutch formats: numbering plan of the ACM (0 + 9 digits, +31 + 9 digits),
IBAN with its ISO 13616 mod-97 check, the BSN eleven-test, RDW licence-plate side codes
(6 letters and digits in three groups) and PostNL postcodes (4 digits, 2 capitals).
Person names are found by context and a name list (cxloop/text/names.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cxloop.text.names import mask_names

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
NL_IBAN = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")  # masked even with a typo in it
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{2}[\s.-]?(?:\(0\)[\s.-]?)?\d|0\d)(?:[\s.-]?\d){7,10}(?!\w)"
)
PLATE = re.compile(
    r"(?<![\w-])([A-Z]{1,3}|\d{1,3})-([A-Z]{1,3}|\d{1,3})-([A-Z]{1,3}|\d{1,3})(?![\w-])",
    re.IGNORECASE,
)
POSTCODE = re.compile(
    r"\b[1-9]\d{3}(?:[ ]?[A-Z]{2}|[a-z]{2})\b(?:[ ,]{1,2}(?:nr\.?\s?)?\d{1,5}(?:[ -]?[a-zA-Z]\b)?)?"
)
STREET = re.compile(
    r"\b[A-Z][a-zé]+(?:straat|laan|weg|plein|gracht|kade|dijk|singel|hof|pad|steeg|markt|park)\s\d{1,5}(?:[ -]?[a-zA-Z]\b)?"
)
BSN = re.compile(r"(?<!\d)\d{9}(?!\d)")

TOKENS = {
    "email": "[e-mail]",
    "iban": "[IBAN]",
    "phone": "[telefoonnummer]",
    "plate": "[kenteken]",
    "address": "[adres]",
    "bsn": "[BSN]",
    "name": "[naam]",
}


@dataclass(frozen=True)
class Masked:
    """A text with personal data replaced by tokens, and which kinds were found."""

    text: str
    found: tuple[str, ...] = field(default_factory=tuple)


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1."""
    compact = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def bsn_is_valid(candidate: str) -> bool:
    """The BSN eleven-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11."""
    digits = [int(d) for d in candidate]
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total % 11 == 0 and total > 0


def _plate(match: re.Match[str]) -> bool:
    groups = match.groups()
    compact = "".join(groups)
    has_letters = any(g.isalpha() for g in groups)
    has_digits = any(g.isdigit() for g in groups)
    return (
        len(compact) == 6
        and has_letters
        and has_digits
        and all(g.isalpha() or g.isdigit() for g in groups)
    )


def _mask_ibans(text: str, found: list[str]) -> str:
    """Mask valid IBANs; a match that swallowed a following word is shortened until it checks."""

    def replace(match: re.Match[str]) -> str:
        candidate = match.group(0)
        while candidate:
            if iban_is_valid(candidate) or NL_IBAN.fullmatch(re.sub(r"\s", "", candidate).upper()):
                found.append("iban")
                return TOKENS["iban"] + _mask_ibans(match.group(0)[len(candidate) :], found)
            if " " not in candidate:
                break
            candidate = candidate.rsplit(" ", 1)[0]
        return match.group(0)

    return IBAN.sub(replace, text)


def mask_pii(text: str, *, employee_names: Sequence[str] = ()) -> Masked:
    """The text with e-mail addresses, IBANs, phone numbers, BSNs, licence plates, addresses and names masked.

    `employee_names` are the organisation's own staff: their names are masked wherever they appear.
    """
    found: list[str] = []

    def sub(kind: str, pattern: re.Pattern[str], value: str, check=None) -> str:
        def replace(match: re.Match[str]) -> str:
            if check is not None and not check(match):
                return match.group(0)
            found.append(kind)
            return TOKENS[kind]

        return pattern.sub(replace, value)

    text = sub("email", EMAIL, text or "")
    text = _mask_ibans(text, found)
    text = sub("bsn", BSN, text, lambda m: bsn_is_valid(m.group(0)))
    text = sub("phone", PHONE, text, lambda m: 9 <= sum(ch.isdigit() for ch in m.group(0)) <= 13)
    text = sub("plate", PLATE, text, _plate)
    text = sub("address", STREET, text)
    text = sub("address", POSTCODE, text, lambda m: not m.group(0)[4:6].isspace())
    text, named = mask_names(text, employee_names=employee_names)
    if named:
        found.append("name")
    return Masked(text=text, found=tuple(dict.fromkeys(found)))
