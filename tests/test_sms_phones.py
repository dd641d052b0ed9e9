"""Phone numbers: typed in national format (metropolitan or overseas France) or international, normalised to
E.164 only when `phonenumbers` holds them valid; masked for logs."""
from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from sms import inbound
from sms.phones import FRANCE_AND_OVERSEAS, NATIONAL_ALSO_FROM, REGIONS, is_from, normalise
from webapp.store import people

OVERSEAS_REGIONS = NATIONAL_ALSO_FROM["FR"]

# (as typed, E.164 or None)
TYPED = [
    ("06 12 34 56 78", "+33612345678"),
    ("0612345678", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033 6 12 34 56 78", "+33612345678"),
    ("01 23 45 67 89", "+33123456789"),
    ("0692 12 34 56", "+262692123456"),  # Réunion
    ("0693 12 34 56", "+262693123456"),
    ("0639 01 23 45", "+262639012345"),  # Mayotte
    ("0262 16 12 34", "+262262161234"),
    ("0690 00 12 34", "+590690001234"),  # Guadeloupe, Saint-Barthélemy, Saint-Martin
    ("0691 28 12 34", "+590691281234"),
    ("0694 20 12 34", "+594694201234"),  # Guyane
    ("0696 20 12 34", "+596696201234"),  # Martinique
    ("0697 00 12 34", "+596697001234"),
    ("+262 692 12 34 56", "+262692123456"),
    ("00262 692 12 34 56", "+262692123456"),
    ("+1 202 555 0123", "+12025550123"),  # people may keep a number from home
    ("+44 7911 123456", "+447911123456"),
    ("+225 07 12 34 56 78", "+2250712345678"),
    # impossible numbers are refused
    ("06 12 34 56 7", None),  # a digit missing
    ("+33 6 12 34 56 7", None),
    ("+33000000000", None),
    ("0000000000", None),
    ("+33692123456", None),  # written as international: only +33 is tried, and that is no number
    ("0712345678", None),  # no such French range
    ("12 34 56", None),  # no New Caledonia guess for a number with digits missing
    ("055 12 34", None),  # nor Saint-Pierre-et-Miquelon
    ("36179", None),
    ("not a number", None),
    ("", None),
]


@pytest.mark.parametrize(("typed", "e164"), TYPED)
def test_normalise(typed, e164):
    assert normalise(typed) == e164


def national(region: str, kind: int) -> tuple[str, str]:
    example = phonenumbers.example_number_for_type(region, kind)
    return (phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL),
            phonenumbers.format_number(example, PhoneNumberFormat.E164))


# phonenumbers as the oracle: its example mobiles for each overseas region, typed as people there write them.
# (Its example landlines 0269… and 0596… are also valid metropolitan numbers to it, and a valid French
# number stays French: only what texts matters here.)
OVERSEAS_EXAMPLES = [national(region, PhoneNumberType.MOBILE) for region in OVERSEAS_REGIONS]


@pytest.mark.parametrize(("typed", "e164"), OVERSEAS_EXAMPLES)
def test_an_overseas_number_typed_in_national_format_gets_its_own_country_code(typed, e164):
    assert normalise(typed) == e164


@pytest.mark.parametrize("region", ["FR", *OVERSEAS_REGIONS, "US", "GB", "CI", "SN", "MA", "DZ", "AF", "UA", "CN"])
def test_a_valid_international_number_from_anywhere_is_kept(region):
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
    assert normalise(e164) == e164
    assert normalise(phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)) == e164


@pytest.mark.parametrize("typed", ["+33 6 12 34 56", "+262 692 12 34", "+1 202 555 012", "+44 7911 12345"])
def test_a_number_phonenumbers_holds_invalid_is_refused(typed):
    assert not phonenumbers.is_valid_number(phonenumbers.parse(typed))
    assert normalise(typed) is None


# Through the inbound core on a real database file, as Twilio hands over its E.164 From: a valid number from
# anywhere is applied (STOP must opt it out); only those from SMS_REPLY_COUNTRIES (France and its overseas
# regions by default) are answered.
@pytest.mark.parametrize(("sender", "answered", "kept"), [
    ("+33612345678", True, True),
    ("+262692123456", True, True),
    ("+12025550123", False, True),
    ("+2250712345678", False, True),
    ("+33000000000", False, False),  # no such number: nobody to answer
    ("+3361234567", False, False),
])
def test_an_sms_from_a_valid_number_anywhere_is_applied_and_from_an_impossible_one_is_not(app, db, sender,
                                                                                           answered, kept):
    with app.app_context():
        outcome = inbound.respond(db, app.config, inbound.Inbound(sender, "HELP", "SM" + "a" * 32))
    assert (outcome.reply is not None) == answered, outcome
    assert (people.person_by_phone(db, sender) is not None) == kept


@pytest.mark.parametrize("region", [*FRANCE_AND_OVERSEAS, "US", "GB", "CI", "SN", "MA", "DZ", "AF", "UA", "CN"])
def test_a_number_is_from_the_regions_its_plan_belongs_to(region):
    e164 = phonenumbers.format_number(phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE),
                                      PhoneNumberFormat.E164)
    assert is_from(e164, (region,))
    assert is_from(e164, FRANCE_AND_OVERSEAS) == (region in FRANCE_AND_OVERSEAS)


def test_the_regions_known_are_phonenumbers_own():
    assert set(FRANCE_AND_OVERSEAS) <= REGIONS and len(FRANCE_AND_OVERSEAS) == 12
    assert {"FR", "BE", "CI", "US"} <= REGIONS and not {"XX", "EU", "fr", "FRA"} & REGIONS
