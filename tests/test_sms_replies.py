"""Every fixed SMS reply, in French and English, is one GSM-7 segment (HELP two); a STATUS reply fits two;
"not understood" fits two whatever the deployer's LOCAL_HELP; and each says, word for word, what
tests/sms_wording.py pins."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from scheduler.rules import Delays
from sms import commands, replies
from sms.keywords import STATUS
from sms.segments import GSM7, measure
from tests import sms_wording
from tests.conftest import FIXED_NOW
from webapp import journey
from webapp.i18n import LANGUAGES

# The languages written in GSM-7 (one segment a fixed reply), whose wording tests/sms_wording.py pins; the
# UCS-2 ones are held to their limits by tests/test_sms_segments.py.
GSM7_LANGUAGES = sorted(replies.GSM7_LANGUAGES)

# Identical in both languages on purpose.
SAME_IN_EVERY_LANGUAGE: set[str] = set()
# The replies allowed two segments; every other fixed reply fits one.
TWO_SEGMENTS = {"help": 2, "unknown": 2}


def rendered(table, name, render):
    return render(name, **replies.SAMPLES)


def test_only_help_and_not_understood_may_take_two_segments():
    assert replies.MAX_SEGMENTS == TWO_SEGMENTS


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
@pytest.mark.parametrize("name", list(replies.REPLIES))
def test_every_fixed_reply_is_one_gsm7_segment(app, lang, name):
    with app.app_context(), force_locale(lang):
        text = rendered(replies.REPLIES, name, replies.render)
    encoded = measure(text)
    assert encoded.encoding == GSM7, f"{lang} {name}: a character outside GSM-7 in {text!r}"
    assert encoded.segments <= TWO_SEGMENTS.get(name, 1), f"{lang} {name}: {encoded.units} septets: {text!r}"


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
@pytest.mark.parametrize("name", list(replies.STATUS_PARTS))
def test_every_status_sentence_is_gsm7(app, lang, name):
    with app.app_context(), force_locale(lang):
        text = rendered(replies.STATUS_PARTS, name, replies.status_part)
    assert measure(text).encoding == GSM7, f"{lang} {name}: {text!r}"


@pytest.mark.parametrize("name", sorted(set(replies.REPLIES) - SAME_IN_EVERY_LANGUAGE))
def test_every_reply_is_translated_into_french(app, name):
    with app.app_context():
        with force_locale("en"):
            english = rendered(replies.REPLIES, name, replies.render)
        with force_locale("fr"):
            french = rendered(replies.REPLIES, name, replies.render)
    assert french != english


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
def test_help_names_comede_only_when_the_deployer_set_it_and_it_fits(app, lang):
    with app.app_context(), force_locale(lang):
        plain = replies.help_text("")
        with_comede = replies.help_text("+33 1 23 45 67 89")
        too_long = replies.help_text("call us any weekday between nine and five, ask for the desk " * 2)
    assert "Comede" not in plain and measure(plain).segments == 2
    assert with_comede == f"{plain} {sms_wording.wording(lang, 'help_comede', phone='+33 1 23 45 67 89')}"
    assert measure(with_comede).segments == 2
    assert too_long == plain


@pytest.fixture
def busy_person(app, db):
    """A person who applied long ago by post, card late, with many open claims of every age."""
    clock = journey.Clock(FIXED_NOW, Delays.from_config(app.config))
    person = journey.person_for(db, "+33612345678", "fr", clock)
    journey.record_application(db, person["id"], "post", clock.today - timedelta(days=200), clock)
    for age in range(40):
        journey.record_claim(db, person["id"], clock.today - timedelta(days=age * 30), clock)
    return person, clock


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
def test_a_long_status_still_fits_two_segments_and_says_what_was_left_out(app, db, busy_person, lang):
    person, clock = busy_person
    with app.app_context():
        text = commands.run(STATUS, commands.Context(db, dict(person, lang=lang), (), clock, app.config))
    encoded = measure(text)
    assert encoded.encoding == GSM7 and encoded.segments == 2
    assert "3646" in text  # the card is late: where to call
    assert ("more." in text) if lang == "en" else ("autres." in text)


@pytest.mark.parametrize(("name", "french"), [
    ("claim", "Remboursement d'ici le 28/12/2026"),  # a date to wait for, not "a month"
    ("lang_set", "nous vous écrirons désormais dans cette langue."),  # not "en FR"
])
def test_french_wording_says_what_the_english_says(app, name, french):
    with app.app_context(), force_locale("fr"):
        assert french in rendered(replies.REPLIES, name, replies.render)


# Fixed values for the placeholders of the pinned wording.
PINNED_PARAMS = {"sent": "05/03/2026", "expected": "26/03/2026", "received": "20/03/2026", "posted": "04/03/2026",
                 "call_from": "02/04/2026", "due": "03/04/2026", "example": "02/03/2026", "number": 3,
                 "phone": "+33 1 45 21 38 40", "where": "Comede +33 1 45 21 38 40", "num": 7}


@pytest.mark.parametrize("table", ["REPLIES", "STATUS_PARTS"])
def test_every_reply_has_its_wording_pinned_in_each_language(table):
    pinned = getattr(sms_wording, table)
    assert set(pinned) == set(getattr(replies, table))
    assert all(set(texts) == set(GSM7_LANGUAGES) for texts in pinned.values())


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
@pytest.mark.parametrize("name", list(sms_wording.REPLIES))
def test_each_fixed_reply_says_exactly_the_pinned_words(app, lang, name):
    with app.app_context(), force_locale(lang):
        assert replies.render(name, **PINNED_PARAMS) == sms_wording.wording(lang, name, **PINNED_PARAMS)


@pytest.mark.parametrize("lang", GSM7_LANGUAGES)
@pytest.mark.parametrize("name", list(sms_wording.STATUS_PARTS))
def test_each_status_sentence_says_exactly_the_pinned_words(app, lang, name):
    with app.app_context(), force_locale(lang):
        assert replies.status_part(name, **PINNED_PARAMS) == sms_wording.status_wording(lang, name, **PINNED_PARAMS)


# (language, days or count, the card on its way, the end of a cut STATUS): French counts 0 and 1 as singular.
PLURALS = [
    ("en", 1, "Card on its way: expected 26/03/2026, in 1 day.", "And 1 more."),
    ("en", 12, "Card on its way: expected 26/03/2026, in 12 days.", "And 12 more."),
    ("fr", 1, "Carte en route : prévue le 26/03/2026, dans 1 jour.", "Et 1 autre."),
    ("fr", 0, "Carte en route : prévue le 26/03/2026, dans 0 jour.", "Et 0 autre."),
    ("fr", 12, "Carte en route : prévue le 26/03/2026, dans 12 jours.", "Et 12 autres."),
]


@pytest.mark.parametrize(("lang", "count", "line", "more"), PLURALS)
def test_plural_sentences_say_the_pinned_words(app, lang, count, line, more):
    with app.app_context(), force_locale(lang):
        assert replies.status_part("on_its_way", expected="26/03/2026", num=count) == line
        assert replies.more_claims(count) == more


# -- "not understood": in the person's language then the other, and where to find a person ----------------
EN, FR = sms_wording.REPLIES["unknown"]["en"], sms_wording.REPLIES["unknown"]["fr"]
COMEDE = "+33 1 45 21 38 40"
LONG_HELP = ("Permanence sociale de la mairie du 18e, 1 place Jules Joffrin, le mardi et le jeudi de 9 h a 12 h,"
             " sans rendez-vous, et le vendredi sur rendez-vous au 01 53 41 18 18, demander le service social")


@pytest.mark.parametrize(("lang", "comede", "local", "expected"), [
    ("en", "", "", f"{EN} {FR} To talk to someone: Assurance Maladie 3646."),
    ("fr", "", "", f"{FR} {EN} Parler à quelqu'un : Assurance Maladie 3646."),
    ("en", COMEDE, "", f"{EN} {FR} To talk to someone: Comede {COMEDE}."),
    ("fr", COMEDE, "Mairie du 18e, mardi 9h-12h", f"{FR} {EN} Parler à quelqu'un : Comede {COMEDE},"
                                                  " Mairie du 18e, mardi 9h-12h."),
    ("en", "", "  Mairie du 18e,\n mardi 9h-12h ", f"{EN} {FR} To talk to someone: Mairie du 18e, mardi 9h-12h."),
    # too long for two segments: LOCAL_HELP cut at a word, with "(...)" to show it
    ("fr", COMEDE, LONG_HELP, f"{FR} {EN} Parler à quelqu'un : Comede {COMEDE}, Permanence sociale de la"
                              " mairie du 18e, 1 place Jules Joffrin, le mardi et le jeudi de 9 h a 12 h, sans"
                              " rendez-vous, et le vendredi sur (...)."),
    # one word too long to cut: left out, Comede stays
    ("en", COMEDE, "x" * 400, f"{EN} {FR} To talk to someone: Comede {COMEDE}."),
    ("en", "", "x" * 400, f"{EN} {FR} To talk to someone: Assurance Maladie 3646."),
])
def test_not_understood_is_bilingual_and_names_human_help(app, lang, comede, local, expected):
    with app.app_context():
        text = replies.not_understood(lang, comede, local)
    assert text == expected
    assert measure(text).segments <= 2 and measure(text).encoding == GSM7


@pytest.mark.parametrize("local", [LONG_HELP, "é" * 200, "ç" * 20, "“Maison des solidarités”, " * 20,
                                   " ".join(["word"] * 200)])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_not_understood_fits_two_segments_whatever_local_help(app, lang, local):
    with app.app_context():
        text = replies.not_understood(lang, COMEDE, local)
    assert measure(text).segments <= 2, text
    assert f"Comede {COMEDE}" in text
