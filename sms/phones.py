"""Phone numbers: normalised to E.164 (default region FR) and masked for logs."""
from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import CountryCodeSource

DEFAULT_REGION = "FR"
# Where else a number typed in national format may be from when it is no number of the region: France's
# overseas departments and collectivities that share its ten-digit plan (0692…, 0639…, 0690…, 0694…, 0696…).
# Saint-Pierre-et-Miquelon, New Caledonia, French Polynesia and Wallis-et-Futuna are left out: their
# numbers are shorter, so a French number with digits missing would become one of theirs.
NATIONAL_ALSO_FROM = {"FR": ("RE", "YT", "GP", "BL", "MF", "GF", "MQ")}
# France and every overseas region with a numbering plan of its own, as phonenumbers names them: whom the
# service answers unless the operator says otherwise (SMS_REPLY_COUNTRIES).
FRANCE_AND_OVERSEAS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")
# Every region phonenumbers knows a numbering plan for, by its ISO 3166 two-letter code.
REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


@functools.lru_cache(maxsize=4096)  # the same people text again; parsing costs more than the lookup
def normalise(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a number as typed or as Twilio sends it; None if it is valid nowhere."""
    number = _parsed(raw, region)
    if number is None:
        return None
    typed_national = number.country_code_source == CountryCodeSource.FROM_DEFAULT_COUNTRY
    if typed_national and not phonenumbers.is_valid_number(number):
        # "0692…" is a Réunion mobile, not an impossible +33 692…; "+33 692…" stays what it says.
        others = (_parsed(raw, other) for other in NATIONAL_ALSO_FROM.get(region, ()))
        number = next((other for other in others if other and phonenumbers.is_valid_number(other)), number)
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def is_from(phone: str, regions: tuple[str, ...]) -> bool:
    """True when the E.164 `phone` is a valid number of one of `regions` (phonenumbers region codes)."""
    # Per region, not per country calling code: +590 is Guadeloupe, Saint-Barthélemy and Saint-Martin, +1
    # is two dozen countries; allowing one of them must not allow the others.
    number = _parsed(phone, DEFAULT_REGION)
    return number is not None and any(phonenumbers.is_valid_number_for_region(number, region) for region in regions)


def _parsed(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw, region, keep_raw_input=True)  # keeps how the country code came
    except phonenumbers.NumberParseException:
        return None


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
