"""Segment counts as Twilio packs them: 160 septets or 70 UTF-16 units alone, else parts of 153 or 67
filled in order, an escaped GSM-7 character or a surrogate pair never split over two parts."""
from __future__ import annotations

import pytest

from sms.segments import GSM7, UCS2, Encoded, measure

DIGITS = "1234567890" * 31
GSM7_ESCAPED = ["|", "^", "€", "{", "}", "[", "]", "~", "\\"]
ONE_GRAPHEME_UCS2 = ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó"]
TRIPLE_ACCENT = "e\u0301\u0301\u0301"  # é́́: one grapheme, four code points

# From TwilioDevEd/message-segment-calculator, tests/index.test.js: (description, body, encoding, segments).
TWILIO_CALCULATOR = [
    ("GSM-7 in one segment", DIGITS[:160], GSM7, 1),
    ("GSM-7 in two segments", DIGITS[:161], GSM7, 2),
    ("GSM-7 in three segments", DIGITS[:307], GSM7, 3),
    ("UCS-2 message in one segment", "😜" + DIGITS[1:69], UCS2, 1),
    ("UCS-2 message in two segments", "😜" + DIGITS[1:70], UCS2, 2),
    ("UCS-2 message in three segments", "😜" + DIGITS[1:134], UCS2, 3),
    ("UCS-2 with two bytes extended characters in one segments boundary", "🇮🇹" + DIGITS[1:67], UCS2, 1),
    ("UCS-2 with extended characters in two segments boundary", "🇮🇹" + DIGITS[1:68], UCS2, 2),
    ("UCS-2 with four bytes extended characters in one segments boundary", "🏳️\u200d🌈" + DIGITS[1:65], UCS2, 1),
    ("UCS-2 with four bytes extended characters in two segments boundary", "🏳️\u200d🌈" + DIGITS[1:66], UCS2, 2),
    ("UCS2 message with special GSM characters in one segment", "😀" + "]" * 68, UCS2, 1),
    ("UCS2 message with special GSM characters in two segment", "😀" + "]" * 69, UCS2, 2),
    ("Triple accents characters - One Segment test", TRIPLE_ACCENT + "a" * 66, UCS2, 1),
    ("Triple accents characters - Two Segments test", TRIPLE_ACCENT + "a" * 67, UCS2, 2),
    *[(f"One segment with escape character {c}", c + DIGITS[:158], GSM7, 1) for c in GSM7_ESCAPED],
    *[(f"Two segments with escape character {c}", c + DIGITS[:159], GSM7, 2) for c in GSM7_ESCAPED],
    *[(f"One segment, 70 characters of {c}", c * 70, UCS2, 1) for c in ONE_GRAPHEME_UCS2],
    *[(f"Two segments, 71 characters of {c}", c * 71, UCS2, 2) for c in ONE_GRAPHEME_UCS2],
]


@pytest.mark.parametrize(("description", "body", "encoding", "segments"), TWILIO_CALCULATOR,
                         ids=[case[0] for case in TWILIO_CALCULATOR])
def test_segments_match_twilios_calculator(description, body, encoding, segments):
    encoded = measure(body)
    assert (encoded.encoding, encoded.segments) == (encoding, segments)


# Our own boundaries: (body, encoding, units, segments).
BOUNDARIES = [
    ("", GSM7, 0, 1),
    ("a" * 159 + "€", GSM7, 161, 2),
    ("a" * 158 + "€", GSM7, 160, 1),
    # an escape pair at the end of the first part: 152 septets fit, the pair goes to the next part
    ("a" * 151 + "€" + "a" * 153, GSM7, 306, 2),
    ("a" * 152 + "€" + "a" * 152, GSM7, 306, 3),
    ("a" * 153 + "€" + "a" * 151, GSM7, 306, 2),
    ("a" * 152 + "\f" + "a" * 152, GSM7, 306, 3),  # form feed is escaped too
    ("€" * 153, GSM7, 306, 3),  # 76 pairs a part
    ("€" * 80, GSM7, 160, 1),
    ("a" * 152 + "[" + "a" * 7, GSM7, 161, 2),
    # a surrogate pair at the end of the first part: 66 units fit, the pair goes to the next part
    ("ç" * 65 + "😜" + "ç" * 67, UCS2, 134, 2),
    ("ç" * 66 + "😜" + "ç" * 66, UCS2, 134, 3),
    ("ç" * 67 + "😜" + "ç" * 65, UCS2, 134, 2),
    ("😜" * 35, UCS2, 70, 1),
    ("😜" * 36, UCS2, 72, 2),
    ("😜" * 67, UCS2, 134, 3),  # 33 pairs a part
    ("ç" * 134, UCS2, 134, 2),
    ("ç" * 135, UCS2, 135, 3),
    # ESC itself is no GSM-7 character: the handset would read the next septet as escaped
    ("a\x1b", UCS2, 2, 1),
    ("\x1b" * 71, UCS2, 71, 2),
]


@pytest.mark.parametrize(("body", "encoding", "units", "segments"), BOUNDARIES,
                         ids=[f"{case[1]}-{case[2]}-{case[3]}-{i}" for i, case in enumerate(BOUNDARIES)])
def test_boundaries(body, encoding, units, segments):
    assert measure(body) == Encoded(encoding, units, segments)


# -- every SMS text the service sends, in every language, against its limit --------------------------------------
# French and English: a fixed reply or reminder in one GSM-7 segment (HELP and "not understood" two), STATUS two.
# The UCS-2 languages: two segments (134 units) for each, STATUS three. Placeholders at their longest
# (sms.replies.SAMPLES), Comede's number and a long LOCAL_HELP set.
from datetime import date, timedelta  # noqa: E402

from flask_babel import force_locale, get_locale  # noqa: E402

from scheduler import texts as reminder_texts  # noqa: E402
from sms import replies  # noqa: E402
from tests.advice_cases import CASES  # noqa: E402
from tests.conftest import DEFAULT_DELAYS  # noqa: E402
from webapp import advice, link  # noqa: E402
from webapp.i18n import LANGUAGES  # noqa: E402

COMEDE = "+33 1 23 45 67 89"
LOCAL_HELP = "Permanence sociale de la mairie du 18e, 1 place Jules Joffrin, le mardi et le jeudi de 9 h a 12 h"
REMINDER_CONFIG = {"CARD_FOLLOWUP_DAYS": 7, "CLAIM_FOLLOWUP_DAYS": 15, "CLAIM_DELAY_DAYS": 30,
                   "SMS_REPLY_NUMBER": replies.SAMPLES["phone"]}
WORST_DAY = date(2026, 12, 28)


def many_claims(today: date) -> list[dict]:
    """Twelve open feuilles de soins with two-digit numbers: more than any STATUS can list."""
    return [{"number": 88 + i, "posted_on": (today - timedelta(days=40 - i)).isoformat(), "paid_on": None}
            for i in range(12)]


def every_text() -> list[tuple[str, str, object]]:
    """(limit name, label, a function giving the text in the current locale) for every text we send."""
    found = [(name, f"reply {name}", lambda name=name: replies.render(name, **replies.SAMPLES))
             for name in replies.REPLIES]
    found += [("help", "HELP with Comede", lambda: replies.help_text(COMEDE)),
              ("unknown", "not understood", lambda: replies.not_understood(str(get_locale()), COMEDE,
                                                                             LOCAL_HELP)),
              ("fixed", "opt-in code", lambda: str(link.CODE_TEXT) % {"code": "123456"})]
    for state in replies.SENT_SENTENCE:
        card = advice.Card(state, method="post", sent_on=WORST_DAY, expected_on=WORST_DAY, call_from=WORST_DAY,
                           days_left=99)
        # the SENT confirmation is made of STATUS sentences: a STATUS's limit
        found.append(("status", f"SENT {state}", lambda card=card: replies.sent_text(card)))
    for state in replies.CLAIM_REPLY:
        claim = advice.Claim(99, state, posted_on=WORST_DAY, due_on=WORST_DAY, age_days=0)
        found.append(("fixed", f"CLAIM {state}", lambda claim=claim: replies.claim_text(claim)))
    for case in CASES:
        found.append(("status", f"STATUS {case.name}", lambda case=case: replies.status_text(
            advice.situation(case.application, case.claims, case.today, DEFAULT_DELAYS), case.application)))
    crowded = {"method": "post", "sent_on": "2026-11-10", "card_received_on": None}
    found.append(("status", "STATUS 12 open feuilles", lambda: replies.status_text(
        advice.situation(crowded, many_claims(WORST_DAY), WORST_DAY, DEFAULT_DELAYS), crowded)))
    for kind in reminder_texts.TEXTS:
        found.append(("reminder", f"reminder {kind}", lambda kind=kind: reminder_texts.render(
            kind, "99", str(get_locale()), REMINDER_CONFIG, planned_on=WORST_DAY)))
    found.append(("menu", "LANG menu", replies.lang_menu))
    return found


TEXTS = every_text()


def limit(name: str, lang: str) -> int:
    """What a text may cost in `lang`."""
    if name == "menu":
        return 1
    if name == "reminder":
        return reminder_texts.max_segments(lang)
    return replies.max_segments(name, lang)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize(("name", "label", "make"), TEXTS, ids=[label for _, label, _ in TEXTS])
def test_every_sms_text_fits_its_limit_in_every_language(app, lang, name, label, make):
    with app.app_context(), force_locale(lang):
        body = make()
    encoded = measure(body)
    print(f"{lang:2} {label:38} {encoded.encoding:5} {encoded.units:4} units {encoded.segments} seg"
          f" (limit {limit(name, lang)})")
    if lang in replies.GSM7_LANGUAGES and name != "menu":  # the menu names each language in its script
        assert encoded.encoding == GSM7, f"{lang} {label}: a character outside GSM-7 in {body!r}"
    assert encoded.segments <= limit(name, lang), f"{lang} {label}: {encoded} {body!r}"


def test_the_limits_are_data_per_encoding():
    assert replies.SEGMENT_LIMITS == {GSM7: {"fixed": 1, "status": 2, "help": 2, "unknown": 2},
                                      UCS2: {"fixed": 2, "status": 3, "help": 2, "unknown": 2}}
    assert [replies.max_segments("status", lang) for lang in LANGUAGES] == [2, 2, 3, 3, 3, 3, 3, 3]
    assert [reminder_texts.max_segments(lang) for lang in LANGUAGES] == [1, 1, 2, 2, 2, 2, 2, 2]
