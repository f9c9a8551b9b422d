"""One way to write a phone number and a licence plate, so that a search finds them however typed.

"06-12345678", "+31 6 1234 5678" and "0031612345678" are one number: +31612345678 (E.164, with
a Dutch number's national 0 replaced by +31). "ab-12-cd" and "AB 12 CD" are one plate: AB12CD.
Pure functions; `CustomerContact` keeps their results beside what the supplier wrote.
"""

import re

COUNTRY_CODE = "31"  # a number written without one is Dutch
MIN_PHONE_DIGITS = 8


def phone_key(phone: str) -> str:
    """The number in E.164 form ("+31612345678"), or "" when it is too short to be one."""
    digits = re.sub(r"\D", "", phone)
    written = phone.strip()
    if written.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        number = COUNTRY_CODE + digits[1:]
    else:
        number = digits
    if len(number) < MIN_PHONE_DIGITS:
        return ""
    return f"+{number}"


def plate_key(plate: str) -> str:
    """The plate in capitals without dashes or spaces ("AB12CD")."""
    return re.sub(r"[^0-9A-Z]", "", plate.upper())
