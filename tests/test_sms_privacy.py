"""A social security number (NIR) texted in is cut out before anything is stored, in whatever digits and
separators it was written; ordinary numbers (dates, amounts, phone numbers, bank details) are kept.

python-stdnum's `stdnum.fr.nir` is the oracle for the key; the service computes it itself.
"""
from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest
from stdnum.fr import nir

from sms.privacy import REDACTED, redact
from tests.twilio_signing import inbound_params, signed_post
from webapp.store import messages as message_store

PHONE = "+33612345678"
TOKEN = "test-auth-token"

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # U+0660–0669
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")  # U+06F0–06F9
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def with_key(body: str) -> str:
    """`body` (13 characters) and its key, as stdnum computes it."""
    return body + nir.calc_check_digits(body)


def grouped(number: str, separator: str = " ") -> str:
    """The number in its usual groups (1 2 2 2 3 3, then the key if any) joined by `separator`."""
    return nir.format(number, separator).removesuffix(separator)


DOCUMENTED = "295109912611193"  # facts.md's example; stdnum's too
MAN = with_key("1850578006084")
CORSICA_A = "253072A07300443"  # stdnum's examples
CORSICA_B = "253072B07300470"
TEMPORARY = with_key("7123456789012")  # a NIA (temporary number) starts with 7 or 8
TEMPORARY_8 = with_key("8860375987654")
assert all(nir.is_valid(number) for number in (DOCUMENTED, MAN, CORSICA_A, CORSICA_B, TEMPORARY, TEMPORARY_8))

# (what the person texts, the NIR in it as written): the stored text is the same with that part cut out.
FORMS = [
    (f"Mon numero {grouped(DOCUMENTED)} merci", grouped(DOCUMENTED)),
    (f"{grouped(DOCUMENTED).translate(ARABIC_INDIC)}", grouped(DOCUMENTED).translate(ARABIC_INDIC)),
    (f"رقمي {DOCUMENTED.translate(ARABIC_INDIC)} شكرا", DOCUMENTED.translate(ARABIC_INDIC)),
    (f"شماره {grouped(MAN).translate(PERSIAN)} ممنون", grouped(MAN).translate(PERSIAN)),
    (f"{MAN.translate(PERSIAN)}", MAN.translate(PERSIAN)),
    (f"numero {grouped(MAN, '،').translate(ARABIC_INDIC)}", grouped(MAN, "،").translate(ARABIC_INDIC)),
    (f"mixed {DOCUMENTED[:7]}{DOCUMENTED[7:].translate(ARABIC_INDIC)} ok", DOCUMENTED[:7]
     + DOCUMENTED[7:].translate(ARABIC_INDIC)),
    (f"FEUILLE {grouped(DOCUMENTED, chr(0xA0))}", grouped(DOCUMENTED, "\u00a0")),
    (f"FEUILLE {grouped(DOCUMENTED, chr(0x202F))}", grouped(DOCUMENTED, "\u202f")),
    (f"numero {grouped(MAN, '   ')} ok", grouped(MAN, "   ")),
    (f"{grouped(DOCUMENTED, '/')}", grouped(DOCUMENTED, "/")),
    (f"NIR {grouped(DOCUMENTED, ',')}", grouped(DOCUMENTED, ",")),
    (f"NIR {grouped(DOCUMENTED, ', ')}", grouped(DOCUMENTED, ", ")),
    (f"NIR {grouped(MAN, '_')}", grouped(MAN, "_")),
    (f"Bonjour\n{grouped(DOCUMENTED, chr(10))}\nmerci", grouped(DOCUMENTED, "\n")),
    (f"NIR:\t{grouped(MAN, chr(9))}", grouped(MAN, "\t")),
    (f"{grouped(DOCUMENTED, chr(13) + chr(10))}", grouped(DOCUMENTED, "\r\n")),
    (f"{grouped(DOCUMENTED, ' - ')}", grouped(DOCUMENTED, " - ")),
    (f"{grouped(DOCUMENTED, ' / ')}", grouped(DOCUMENTED, " / ")),
    (f"NIR{DOCUMENTED}", DOCUMENTED),
    (f"{DOCUMENTED}merci", DOCUMENTED),
    (f"numero{MAN}svp", MAN),
    (f"secu:{DOCUMENTED[:13]}.", DOCUMENTED[:13]),  # the key is often left out
    (f"{grouped(DOCUMENTED[:13], chr(0xA0))}", grouped(DOCUMENTED[:13], "\u00a0")),
    (f"{DOCUMENTED[:13].translate(PERSIAN)}", DOCUMENTED[:13].translate(PERSIAN)),
    (f"Corse {CORSICA_A}", CORSICA_A),
    (f"Corse {grouped(CORSICA_B).lower()} ok", grouped(CORSICA_B).lower()),
    (f"{grouped(CORSICA_A, '/').translate(ARABIC_INDIC)}", grouped(CORSICA_A, "/").translate(ARABIC_INDIC)),
    (f"{CORSICA_B[:13].translate(PERSIAN)}", CORSICA_B[:13].translate(PERSIAN)),
    (f"{grouped(DOCUMENTED).translate(FULLWIDTH)}", grouped(DOCUMENTED).translate(FULLWIDTH)),
    (f"{DOCUMENTED.translate(DEVANAGARI)}", DOCUMENTED.translate(DEVANAGARI)),
    (f"NIA {grouped(TEMPORARY, chr(9))}", grouped(TEMPORARY, "\t")),
    (f"{grouped(TEMPORARY_8, chr(0x202F)).translate(ARABIC_INDIC)}", grouped(TEMPORARY_8, "\u202f")
     .translate(ARABIC_INDIC)),
    (f"(2){DOCUMENTED[1:]}", "2)" + DOCUMENTED[1:]),
    (f"le numero\n{grouped(MAN, '.')}\nde ma fille", grouped(MAN, ".")),
    (f"PAID 12 {grouped(DOCUMENTED)}", grouped(DOCUMENTED)),  # a number just before is not part of it
    (f"{grouped(DOCUMENTED)} et 12/03/2026", grouped(DOCUMENTED)),
]


def expected(body: str, written: str) -> str:
    return body.replace(written, REDACTED)


@pytest.mark.parametrize(("body", "written"), FORMS, ids=[repr(body) for body, _ in FORMS])
def test_redact_cuts_out_the_number_and_keeps_the_rest(body, written):
    assert redact(body) == expected(body, written)


def test_two_numbers_in_one_text_are_both_cut_out():
    body = f"moi {grouped(DOCUMENTED)}, ma femme {MAN.translate(ARABIC_INDIC)}."
    assert redact(body) == f"moi {REDACTED}, ma femme {REDACTED}."


# Ordinary numbers a person texts: kept exactly as written.
ORDINARY = [
    "CLAIM 12/03/2026",
    "CLAIM ١٢/٠٣/٢٠٢٦",
    "reçu le 12.03.2026 à 14:30",
    "2026-03-12 10:30:00",
    "le 1/3/2026 et le 2/3/2026",
    "PAID 1 234,56 €",
    "12 000 000 euros",
    "+33 6 12 34 56 78",
    "06 12 34 56 78",
    "0033 6 12 34 56 78",
    "+262 692 12 34 56",
    "Abidjan +225 07 12 34 56 78",
    "Tel: 01 23 45 67 89, 06 12 34 56 78",
    "06 92 12 34 56 / 06 93 12 34 56",
    "FR76 3000 6000 0112 3456 7890 189",
    "IBAN FR7630006000011234567890189",
    "DE89 3704 0044 0532 0130 00",
    "SIRET 732 829 320 00074",
    "ref 3 95 10 99 126 111 93",  # a NIR starts with 1, 2, 7 or 8
    "2 95 13 99 126 111",  # no month 13
    "2 95 10 00 126 111",  # no département 00
    "295109912611194",  # 15 digits with a wrong key: an ordinary number, not a NIR
    "commande 1234567890123",  # month 45 does not exist
    "SENT POST 12/12 et FEUILLE 3",
]


@pytest.mark.parametrize("body", ORDINARY)
def test_ordinary_numbers_are_kept(body):
    assert redact(body) == body


@pytest.mark.parametrize("seed", range(5))
def test_a_fifteen_digit_number_is_cut_out_exactly_when_stdnum_accepts_its_key(seed):
    rng = random.Random(seed)
    for _ in range(400):
        body = rng.choice("1278") + f"{rng.randrange(100):02d}" + f"{rng.randrange(1, 13):02d}" \
            + rng.choice([f"{rng.randrange(1, 100):02d}", "2A", "2B"]) + f"{rng.randrange(10**6):06d}"
        key = rng.choice([nir.calc_check_digits(body), f"{rng.randrange(100):02d}"])
        number = body + key
        assert (redact(number) == REDACTED) == nir.is_valid(number), number


WRONG_KEY = DOCUMENTED[:13] + "94"
assert not nir.is_valid(WRONG_KEY)


# Typed apart, two digits after a NIR are its key, mistyped: the key check decides for a number written
# in one piece, where a wrong key means an ordinary 15-digit number (see ORDINARY).
@pytest.mark.parametrize(("body", "kept"), [
    (f"NIR {grouped(WRONG_KEY)} merci", f"NIR {REDACTED} merci"),
    (f"NIR {grouped(WRONG_KEY, chr(10))}", f"NIR {REDACTED}"),
    (f"NIR {WRONG_KEY[:13]} {WRONG_KEY[13:]}", f"NIR {REDACTED}"),
    (f"NIR {WRONG_KEY[:13]} 946", f"NIR {REDACTED} 946"),  # not a key: only the 13 characters go
    (f"NIR {WRONG_KEY}", f"NIR {WRONG_KEY}"),
])
def test_a_mistyped_key_typed_apart_goes_with_the_number(body, kept):
    assert redact(body) == kept


# -- through the webhook, onto the real database file ------------------------------------------
@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL="https://sms.example.org")


def forms_of(written: str) -> set[str]:
    """Every way the number's digits could sit in the file: as written, in ASCII, grouped, its last digits."""
    ascii_digits = "".join(str(unicodedata.digit(c)) if unicodedata.decimal(c, None) is not None else c
                           for c in written)
    compact = re.sub(r"[^0-9A-Za-z]", "", ascii_digits).upper()
    native = re.sub(r"[^\w]", "", written)
    return {written, compact, compact[:13], compact[7:13], native, native[7:13], ascii_digits}


@pytest.mark.parametrize(("body", "written"), FORMS, ids=[repr(body) for body, _ in FORMS])
def test_a_number_texted_in_is_in_neither_the_database_file_nor_its_wal(client, app, db, body, written):
    response = signed_post(client, app, "/sms/inbound", inbound_params(PHONE, body))
    assert response.status_code == 200
    [inbound] = [m for m in message_store.log(db, PHONE) if m["direction"] == "inbound"]
    assert inbound["body"] == expected(body, written)
    database = Path(app.config["DATABASE"])
    wal = Path(str(database) + "-wal")
    assert wal.exists()  # WAL mode, not checkpointed: the last writes are there
    stored = database.read_bytes() + wal.read_bytes()
    for form in forms_of(written):
        assert form.encode() not in stored, form
        assert form.encode("utf-16-le") not in stored, form
