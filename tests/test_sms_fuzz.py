"""Arbitrary bodies (any Unicode: emoji, Arabic, control characters) never break the SMS core:
no exception, and always a reply of at most two segments."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sms import inbound, keywords
from sms.segments import measure

KEYWORDISH = st.sampled_from(["HELP", "aide", "STATUS", "état", "RIB", "SENT", "ENVOI COURRIER", "CARD",
                              "CLAIM", "FEUILLE", "PAID", "PAYE", "LANG", "LANGUE", "STOP", "START",
                              "DELETE", "?", "31/02", "29/02/2024", "99/99/9999", "1/1/1", "0", "9" * 30])
BODIES = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.lists(st.one_of(KEYWORDISH, st.text(max_size=12),
                       st.sampled_from(["🙂", "مرحبا", "\x00", "\x1b", "\u202e", "ç", "\r\n", "ｈｅｌｐ"])),
             max_size=8).map(" ".join),
)
_numbers = itertools.count(600_000_000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_any_body_gets_a_short_reply_and_never_an_exception(app, db, body):
    sender = f"+33{next(_numbers)}"  # a new number each time: the hourly budget never interferes
    with app.app_context():
        reply = inbound.handle(db, app.config, inbound.Inbound(sender, body, f"SM{sender}"))
    assert reply, f"no reply to {body!r}"
    assert measure(reply).segments <= 2


@settings(max_examples=300, deadline=None)
@given(body=BODIES)
def test_the_parser_accepts_anything(body):
    parsed = keywords.parse(body)
    assert parsed.command in {k.command for k in keywords.KEYWORDS + keywords.STOP_WORDS} | {keywords.UNKNOWN}
