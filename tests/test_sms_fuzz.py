"""Arbitrary bodies (any Unicode: emoji, Arabic, control characters) never break the SMS core: every
reply is one of the service's own texts, in the person's language (a French keyword gets French, an
English one English, LANG switches it; "not understood" leads with it), within the segments promised (a fixed
reply one, HELP, "not understood" and STATUS two),
with nothing internal leaking into it; and whatever texts were accepted, the dispatch passes after them
never raise nor leave a reminder `sending`."""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from scheduler.dispatch import run_pass
from sms import inbound, keywords, languages, privacy, replies
from sms.segments import GSM7, measure
from tests.conftest import FIXED_NOW
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES

COMEDE_PHONE = "+33 1 45 21 38 40"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, COMEDE_PHONE=COMEDE_PHONE)  # HELP then names Comede: that text is checked too


# -- the oracle: every text the service can answer with, per language, as a pattern ------------------
# Each placeholder is filled with a value found nowhere else in the texts, then matched by what it stands for.
SENTINEL_DATE, SENTINEL_NUMBER, SENTINEL_COUNT = date(1987, 6, 5), 98765, 777
SENTINELS = {replies.day(SENTINEL_DATE): r"\d{2}/\d{2}/\d{4}", str(SENTINEL_NUMBER): r"\d+",
             str(SENTINEL_COUNT): r"\d+"}
FILLED = {"sent": replies.day(SENTINEL_DATE), "expected": replies.day(SENTINEL_DATE),
          "received": replies.day(SENTINEL_DATE), "posted": replies.day(SENTINEL_DATE),
          "call_from": replies.day(SENTINEL_DATE), "due": replies.day(SENTINEL_DATE),
          "example": replies.day(SENTINEL_DATE), "number": SENTINEL_NUMBER, "phone": COMEDE_PHONE,
          "where": f"Comede {COMEDE_PHONE}", "num": SENTINEL_COUNT}


def pattern(text: str, singular: bool = False) -> str:
    """A rendered text as a regex: each sentinel stands for any value of its kind."""
    regex = re.escape(text)
    for sentinel, kind in SENTINELS.items():
        regex = regex.replace(re.escape(sentinel), kind)
    # a singular plural form was rendered with 1: its only digit left is the count
    return re.sub(r"(?<![\\{,\d])1(?![\d}])", r"\\d+", regex) if singular else regex


@dataclass(frozen=True)
class Catalogue:
    """One language's replies: the fixed ones (one segment each) and the sentences of a STATUS reply."""

    fixed: dict[str, re.Pattern]
    status: re.Pattern

    def kind(self, reply: str) -> str | None:
        """The name of the fixed reply `reply` is, "status", or None when it is none of this language's texts."""
        name = next((name for name, regex in self.fixed.items() if regex.fullmatch(reply)), None)
        return name or ("status" if self.status.fullmatch(reply) else None)


@functools.cache
def catalogue(lang: str) -> Catalogue:
    """Every reply of `lang` (needs an app context; translations are the same for every test app)."""
    with force_locale(lang):
        fixed = {name: pattern(replies.render(name, **FILLED)) for name in replies.REPLIES}
        fixed["help"] = f"{fixed['help']}(?: {fixed.pop('help_comede')})?"  # Comede's number when it fits
        # "not understood": in this language, then the others, then Comede (set in these settings)
        fixed["unknown"] = pattern(replies.not_understood(lang, COMEDE_PHONE, ""))
        fixed["lang_menu"] = re.escape(replies.lang_menu())  # the same in every language: for an unsure script
        sentences = [pattern(replies.status_part(name, **FILLED)) for name in replies.STATUS_PARTS]
        sentences += [pattern(replies.status_part("on_its_way", **dict(FILLED, num=1)), singular=True),
                      pattern(replies.more_claims(SENTINEL_COUNT)), pattern(replies.more_claims(1), singular=True)]
    sentence = "(?:" + "|".join(sentences) + ")"
    return Catalogue({name: re.compile(regex) for name, regex in fixed.items()},
                     re.compile(f"{sentence}(?: {sentence})*"))


# What must never reach a person: a traceback, a format or template left unfilled, a Python value, an
# echo of what the privacy filter cut out, a control character.
LEAKS = re.compile(r"Traceback|Error|[{}<>\\]|%\(|%s|%d|None|\[removed\]|lazy|Parsed\(|[\x00-\x1f\x7f]")


def check_reply(reply: str, lang: str, body: str) -> str:
    """`reply` is one of `lang`'s texts (and none of another's), fits its segments and leaks nothing; its kind."""
    if lang == "menu":
        assert reply == replies.lang_menu() and measure(reply).segments == 1, f"{body!r} got {reply!r}"
        return "lang_menu"
    kind = catalogue(lang).kind(reply)
    assert kind, f"{body!r} got {reply!r}: not a {lang} reply"
    # Another language's text, unless that language says the same (the LANG menu, or a string not translated
    # yet there, which falls back to French).
    others = [other for other in LANGUAGES if other != lang and catalogue(other).kind(reply)
              and catalogue(other).fixed.get(kind, catalogue(other).status).pattern
              != catalogue(lang).fixed.get(kind, catalogue(lang).status).pattern]
    assert not others, f"{body!r} got {reply!r}: a {others} text, not {lang}"
    assert not LEAKS.search(reply), f"{body!r} got {reply!r}"
    encoded = measure(reply)
    if lang in replies.GSM7_LANGUAGES:
        assert encoded.encoding == GSM7, f"{reply!r}"
    if encoded.encoding == GSM7:  # the codec's own count: an escaped character (€, [) takes two septets
        assert encoded.units == len(reply.encode("gsm03.38")), f"{reply!r}"
    assert encoded.segments <= replies.max_segments(kind, lang), f"{kind} {reply!r}"
    return kind


def chosen_language(parsed: keywords.Parsed) -> str | None:
    """The language LANG names, when it names exactly one."""
    chosen = {keywords.lookup(word, keywords.LANGUAGE_NAMES) for word in parsed.args} - {None}
    return chosen.pop() if parsed.command == keywords.LANG and len(chosen) == 1 else None


@dataclass(frozen=True)
class Person:
    """What the service knows of a texter's language: which one, and whether it is settled."""

    lang: str
    settled: bool  # by a keyword's language or by LANG: later keywords do not change it
    opted_out: bool = False


# What someone who said STOP can still do (the rest is not acted on).
WHILE_OPTED_OUT = {keywords.STOP, keywords.START, keywords.DELETE}


def after(person: Person | None, body: str) -> tuple[Person | None, str]:
    """The rule, written from the person's side: who they are after `body`, and the language of its reply.

    The first keyword with a language, else the first letters that tell one, sets theirs (French by default),
    LANG chooses one for good, DELETE forgets them. Letters of a script that do not tell which of its languages,
    before any language is known, get the LANG menu ("menu" as the language).
    """
    parsed = keywords.parse(body)
    script_says = languages.guess(privacy.redact(body))
    texted_in = parsed.lang or (script_says if script_says in LANGUAGES else None)
    if parsed.command == keywords.DELETE and not parsed.args:
        return None, person.lang if person else texted_in or DEFAULT_LANGUAGE
    if person is None:
        person = Person(texted_in or DEFAULT_LANGUAGE, texted_in is not None)
    elif texted_in and not person.settled:
        person = replace(person, lang=texted_in, settled=True)
    if person.opted_out and parsed.command not in WHILE_OPTED_OUT:
        return person, person.lang
    if (script_says == languages.UNSURE and not parsed.lang and not person.settled
            and parsed.command not in inbound.ANSWERED_UNSURE):
        return person, "menu"
    if chosen := chosen_language(parsed):
        person = replace(person, lang=chosen, settled=True)
    if parsed.command in (keywords.STOP, keywords.START):
        person = replace(person, opted_out=parsed.command == keywords.STOP)
    return person, person.lang


KEYWORDISH = st.sampled_from(["HELP", "aide", "STATUS", "état", "RIB", "SENT", "ENVOI COURRIER", "CARD",
                              "CLAIM", "FEUILLE", "PAID", "PAYE", "LANG", "LANGUE", "STOP", "START",
                              "DELETE", "?", "مساعدة", "کمک", "komak", "مرسته", "ሓገዝ", "помощь", "допомога",
                              "وضعیت", "حالة", "стан", "ارسلت بريد", "فرستادم پست", "стоп", "LANG دری",
                              "LANGUE persan", "LANG ትግርኛ", "سلام", "привет",
                              "31/02", "29/02/2024", "99/99/9999", "1/1/1", "0", "9" * 30])
BODIES = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.lists(st.one_of(KEYWORDISH, st.text(max_size=12),
                       st.sampled_from(["🙂", "مرحبا", "\x00", "\x1b", "\u202e", "ç", "\r\n", "ｈｅｌｐ"])),
             max_size=8).map(" ".join),
)
_numbers = itertools.count(600_000_000)
_sids = itertools.count()


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
@example(body="LANG EN")
@example(body="aide")
@example(body="HELP")
@example(body="ETAT")
@example(body="STATUS")
@example(body="supprimer")
@example(body="CLAIM 1/1")
def test_any_body_gets_a_short_reply_and_never_an_exception(app, db, body):
    sender = f"+33{next(_numbers)}"  # a new number each time: the hourly budget never interferes
    with app.app_context():
        outcome = inbound.respond(db, app.config, inbound.Inbound(sender, body, new_sid()), now=FIXED_NOW)
        if outcome.silent_because == inbound.NOTHING_TO_SAY:  # thanks, ok, an emoji: no paid reply
            assert keywords.parse(privacy.redact(body)).command == keywords.THANKS
            return
        reply = outcome.reply
        assert reply, f"no reply to {body!r}"
        lang = after(None, body)[1]
        event(f"{lang} {check_reply(reply, lang, body)}")


# A few people's conversations: keywords in both languages, LANG, STOP, DELETE, and anything.
CONVERSATION_TEXTS = st.one_of(
    st.sampled_from(["HELP", "AIDE", "?", "RIB", "INFO", "STATUS", "ETAT", "SENT ONLINE", "ENVOI COURRIER",
                     "CARD", "CARTE", "CLAIM", "FEUILLE 01/02", "PAID", "PAYE 1", "LANG FR", "LANG EN",
                     "LANGUE ANGLAIS", "LANGUAGE FRENCH", "LANG XX", "STOP", "ARRET", "START", "DELETE",
                     "SUPPRIMER", "DELETE it", "bonjour", "hlep", "stpo", "مساعدة", "کمک", "مرسته", "ሓገዝ",
                     "помощь", "допомога", "komak", "marasta", "وضعیت", "LANG ar", "LANG русский", "سلام",
                     "привет", "你好", "توقف", "ابدأ"]),
    BODIES)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(CONVERSATION_TEXTS, min_size=1, max_size=6))
@example(texts=["RIB", "AIDE", "HELP"])  # no language yet, then the first French keyword settles it
@example(texts=["HELP", "AIDE"])  # English stays English
@example(texts=["AIDE", "LANG EN", "AIDE", "LANG FR", "HELP"])
@example(texts=["HELP", "SUPPRIMER", "HELP"])  # erased in English, then new in French... and English again
def test_every_reply_of_a_conversation_is_in_the_persons_language(app, db, texts):
    sender, person = f"+33{next(_numbers)}", None
    for minute, body in enumerate(texts):
        with app.app_context():
            reply = inbound.handle(db, app.config, inbound.Inbound(sender, body, new_sid()),
                                   now=FIXED_NOW + timedelta(minutes=minute))
        person, lang = after(person, body)
        if reply is not None:  # silence (opted out, loop protection) is tested elsewhere
            with app.app_context():
                check_reply(reply, lang, f"{body!r} after {texts[:minute]}")


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
            inbound.handle(db, app.config, inbound.Inbound(senders[who], body, new_sid()), now=last)
        dispatch(last)  # the minute's pass, before the look-back window expires what is due
    for after in PASSES_AFTER:
        dispatch(last + after)
    event(f"reminders sent: {'some' if any(report.count('sent') for report in passes) else 'none'}")
