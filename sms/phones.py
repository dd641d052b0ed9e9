"""Phone numbers: normalised to E.164 (default region FR) and masked for logs."""
from __future__ import annotations

import functools
import re

import phonenumbers

DEFAULT_REGION = "FR"


@functools.lru_cache(maxsize=4096)  # the same people text again; parsing costs more than the lookup
def normalise(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a number as typed or as Twilio sends it; None if it is not one."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_person_number(raw: str) -> bool:
    """False for short codes and alphanumeric senders, which must never get an automatic reply."""
    compact = re.sub(r"[\s().-]", "", raw)  # "+33 6 12 34 56 78" is a person; "36179" is not
    digits = compact.lstrip("+")
    return compact.startswith("+") and digits.isdigit() and len(digits) >= 8


# A phone number inside a sentence: 8+ digits, a leading +, single spaces, dots, dashes or brackets.
_NUMBER_IN_TEXT = re.compile(r"\+?\d(?:[ ().-]?\d){7,}")


def mask_in_text(text: str) -> str:
    """`text` with every phone number in it masked (Twilio's error messages quote the number)."""
    return _NUMBER_IN_TEXT.sub(lambda found: mask(re.sub(r"[^\d+]", "", found.group())), text)


def mask(phone: str | None) -> str:
    """A number fit for a log line: country code and last two digits only."""
    if not phone:
        return "-"
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]
