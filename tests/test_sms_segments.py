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
