"""Arbitrary bodies (any Unicode: emoji, Arabic, control characters) never break the SMS core:
no exception, and always a reply of at most two segments; and whatever texts were accepted, the
dispatch passes after them never raise nor leave a reminder `sending`."""
from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from scheduler.dispatch import run_pass
from sms import inbound, keywords
from sms.segments import measure
from tests.conftest import FIXED_NOW

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


# -- then the dispatcher: whatever was accepted, a pass never raises nor leaves a row `sending` ----
COMMANDS = st.sampled_from(["CLAIM", "FEUILLE", "SENT ONLINE", "SENT POST", "ENVOI COURRIER", "ENVOI INTERNET",
                            "CARD", "CARTE", "PAID", "PAYE 1", "PAID 2", "STATUS", "STOP", "START", "DELETE",
                            "LANG FR", "LANG EN", "HELP"])
# Years at the edges (the unpadded year 100 once stopped every reminder), then any.
YEARS = st.one_of(st.none(), st.sampled_from(["0100", "0500", "0999", "0001", "1000", "1999", "2000", "9999", "00",
                                              "99"]),
                  st.integers(0, 99).map("{:02d}".format), st.integers(0, 9999).map("{:04d}".format))
DATES = st.builds(lambda day, month, year: f"{day}/{month}" + (f"/{year}" if year else ""),
                  st.one_of(st.integers(1, 28), st.integers(0, 32)), st.one_of(st.integers(1, 12), st.integers(0, 13)),
                  YEARS)
RECORDING = st.sampled_from(["CLAIM", "FEUILLE", "SENT ONLINE", "SENT POST", "ENVOI COURRIER"])
TEXTS = st.one_of(st.builds("{} {}".format, RECORDING, DATES), st.builds("{} {}".format, COMMANDS, DATES),
                  COMMANDS, BODIES)
# Several people texting over a few months, in any order of commands.
CONVERSATIONS = st.lists(st.tuples(st.integers(0, 2), TEXTS, st.integers(0, 200 * 24 * 60)), max_size=10)
# When passes run after the last text: every three days (within the 72 h look-back, so no reminder
# expires unseen) past every delay and follow-up, then at another hour of the day, then a year on.
PASSES_AFTER = [timedelta(days=days) for days in range(0, 64, 3)] + [timedelta(days=64, hours=13), timedelta(days=400)]
_sids = itertools.count()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conversation=CONVERSATIONS)
@example(conversation=[(0, "CLAIM 1/1/0100", 0), (1, "SENT ONLINE", 1)])  # once stopped every reminder
def test_after_any_accepted_texts_a_pass_never_raises_nor_leaves_a_row_sending(app, db, conversation):
    senders = [f"+33{next(_numbers)}" for _ in range(3)]
    passes = []

    def dispatch(moment):
        passes.append(run_pass(app, moment))
        assert db.execute("SELECT COUNT(*) FROM reminders WHERE state = 'sending'").fetchone()[0] == 0

    last = FIXED_NOW
    for who, body, minutes in sorted(conversation, key=lambda message: message[2]):
        last = FIXED_NOW + timedelta(minutes=minutes)
        with app.app_context():
            inbound.handle(db, app.config, inbound.Inbound(senders[who], body, f"SM{next(_sids):032x}"), now=last)
        dispatch(last)  # the minute's pass, before the look-back window expires what is due
    for after in PASSES_AFTER:
        dispatch(last + after)
    event(f"reminders sent: {'some' if any(report.count('sent') for report in passes) else 'none'}")
